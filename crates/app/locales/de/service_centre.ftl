# Die Kontaktdaten des Service-Centers, auf den Seiten und unter den E-Mails (Deutsch).
sc-title = Service-Center
sc-phone = Telefon
sc-email = E-Mail
sc-hours = Öffnungszeiten
sc-line-phone = Telefon: { $value }
sc-line-email = E-Mail: { $value }
sc-line-hours = Öffnungszeiten: { $value }
sc-hours-days = { $first } bis { $last } { $opens }–{ $closes } Uhr
sc-hours-day = { $day } { $opens }–{ $closes } Uhr
sc-day-mon = Montag
sc-day-tue = Dienstag
sc-day-wed = Mittwoch
sc-day-thu = Donnerstag
sc-day-fri = Freitag
sc-day-sat = Samstag
sc-day-sun = Sonntag
