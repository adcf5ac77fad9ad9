# Formulations partagées des dates et des périodes, sur toutes les pages.
period-days = du { $from } au { $to }
period-quick-label = Périodes rapides
period-this-month = Ce mois-ci
period-last-month = Le mois passé
period-this-year = Cette année
period-month-picker = Mois
period-month-choose = Afficher
# Valeurs des flux, en mots (tableaux, filtres, téléchargements).
destination-be = Belgique
destination-eu = Europe
destination-world = Reste du monde
format-small = Petit format
format-large = Grand format
format-cumbersome = Format encombrant
