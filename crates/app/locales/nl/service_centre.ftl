# De contactgegevens van het Service Centre, op de pagina's en onder de e-mails (Nederlands).
sc-title = Service Centre
sc-phone = Telefoon
sc-email = E-mail
sc-hours = Openingsuren
sc-line-phone = Telefoon: { $value }
sc-line-email = E-mail: { $value }
sc-line-hours = Openingsuren: { $value }
sc-hours-days = { $first } tot { $last } van { $opens } tot { $closes } uur
sc-hours-day = { $day } van { $opens } tot { $closes } uur
sc-day-mon = maandag
sc-day-tue = dinsdag
sc-day-wed = woensdag
sc-day-thu = donderdag
sc-day-fri = vrijdag
sc-day-sat = zaterdag
sc-day-sun = zondag
