# The page frame on every screen size: the folding menu of narrow screens.
nav-menu = Menu
nav-menu-close = Close
