# The Service Centre's contact details, on pages and under e-mails (English).
sc-title = Service Centre
sc-phone = Phone
sc-email = E-mail
sc-hours = Opening hours
sc-line-phone = Phone: { $value }
sc-line-email = E-mail: { $value }
sc-line-hours = Opening hours: { $value }
sc-hours-days = { $first } to { $last }, { $opens }–{ $closes }
sc-hours-day = { $day }, { $opens }–{ $closes }
sc-day-mon = Monday
sc-day-tue = Tuesday
sc-day-wed = Wednesday
sc-day-thu = Thursday
sc-day-fri = Friday
sc-day-sat = Saturday
sc-day-sun = Sunday
