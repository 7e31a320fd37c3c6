"""Households, firms, the council and the community: arrays, behaviour, adoption, wellbeing."""
