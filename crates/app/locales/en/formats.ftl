# Shared wording of dates and periods on every page.
period-days = from { $from } to { $to }
period-quick-label = Quick periods
period-this-month = This month
period-last-month = Last month
period-this-year = This year
period-month-picker = Month
period-month-choose = Show
# Values of the feeds, in words (tables, filters, downloads).
destination-be = Belgium
destination-eu = Europe
destination-world = Rest of the world
format-small = Small
format-large = Large
format-cumbersome = Bulky
