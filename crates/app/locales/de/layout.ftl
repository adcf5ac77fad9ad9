# The page frame on every screen size: the folding menu of narrow screens.
nav-menu = Menü
nav-menu-close = Schließen
