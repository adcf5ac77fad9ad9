# E-mail : parties communes. Chaque message a <clé>-subject et <clé>-body (paragraphes séparés par une ligne vide).
mail-greeting = Bonjour { $name },
mail-signature = Le Service Centre Collect & Stamp
mail-test-subject = Message de test
mail-test-body = Ceci est un message de test du portail Collect & Stamp.
