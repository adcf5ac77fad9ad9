# Les coordonnées du Service Centre, sur les pages et sous les e-mails (français).
sc-title = Service Centre
sc-phone = Téléphone
sc-email = E-mail
sc-hours = Heures d’ouverture
sc-line-phone = Téléphone : { $value }
sc-line-email = E-mail : { $value }
sc-line-hours = Heures d’ouverture : { $value }
sc-hours-days = du { $first } au { $last } de { $opens } à { $closes }
sc-hours-day = le { $day } de { $opens } à { $closes }
sc-day-mon = lundi
sc-day-tue = mardi
sc-day-wed = mercredi
sc-day-thu = jeudi
sc-day-fri = vendredi
sc-day-sat = samedi
sc-day-sun = dimanche
