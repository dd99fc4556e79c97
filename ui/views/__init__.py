"""Views that show what a network has learned: boundary, diagram, images, health."""
