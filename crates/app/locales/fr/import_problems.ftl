# Les problèmes d'un fichier de flux sur les pages de l'opérateur, par code (l'API et la
# ligne de commande gardent les mots anglais de l'importateur).
imp-problem-with-remedy = { $problem } ; { $remedy }
imp-remedy-update = pour le remplacer, importez à nouveau le fichier en cochant « Remplacer les lignes enregistrées avec d'autres valeurs »
imp-problem-field-required = une valeur est obligatoire
imp-problem-field-too-long = compte { $length } caractères : { $max } au maximum sont permis
imp-problem-field-control-character = contient un caractère de contrôle (comme un saut de ligne ou une tabulation)
imp-problem-date-format = la date « { $value } » doit s'écrire AAAA-MM-JJ, par exemple 2026-11-03
imp-problem-date-invalid = la date { $value } n'existe pas
imp-problem-date-year-out-of-range = date { $value } : l'année doit être comprise entre 2000 et 2100
imp-problem-quantity-format = la quantité « { $value } » doit être un nombre entier, comme 214
imp-problem-quantity-out-of-range = la quantité { $value } est hors limites : de 1 à 1 000 000 attendu
imp-problem-boolean-format = « { $value } » doit valoir true ou false
imp-problem-format-unknown = le format « { $value } » doit être small, large, cumbersome ou vide
imp-problem-destination-unknown = la destination « { $value } » doit être BE, EU, WORLD ou vide
imp-problem-product-kind-unknown = le type de produit « { $value } » doit être postage, registered, parcel ou service
imp-problem-vat-rate-format = le taux de TVA « { $value } » doit être un pourcentage entier de 0 à 100, comme 21
imp-problem-language-unknown = la langue « { $value } » doit être fr, nl, de ou en
imp-problem-country-format = le pays « { $value } » doit être un code de 2 lettres, comme BE
imp-problem-country-unknown = le pays { $value } n'est pas un code ISO 3166 attribué
imp-problem-row-field-count = la ligne compte { $found } champs mais l'en-tête { $expected } colonnes
imp-problem-feed-kind-mismatch = l'en-tête a été vérifié pour un fichier { $mapped }, pas pour un fichier { $asked }
imp-problem-customer-number-empty = le numéro de client est vide
imp-problem-customer-number-not-digits = le numéro de client ne peut contenir que des chiffres de 0 à 9, trouvé « { $value } »
imp-problem-customer-number-too-long = le numéro de client compte { $length } chiffres : { $max } au maximum sont permis
imp-problem-vat-empty = le numéro de TVA est vide
imp-problem-vat-invalid-character = le numéro de TVA ne peut contenir que des lettres et des chiffres (espaces, points et tirets sont ignorés), trouvé « { $value } »
imp-problem-vat-too-long = le numéro de TVA compte { $length } caractères : { $max } au maximum sont permis
imp-problem-vat-missing-prefix = le numéro de TVA { $value } doit commencer par le préfixe de son pays, par exemple BE0428759497
imp-problem-vat-unknown-country = numéro de TVA { $value } : { $prefix } n'est pas le préfixe d'un numéro de TVA de l'UE
imp-problem-vat-belgian-format = numéro de TVA { $value } : un numéro de TVA belge est BE suivi de 10 chiffres
imp-problem-vat-belgian-first-digit = numéro de TVA { $value } : un numéro de TVA belge commence par 0 ou 1 après BE
imp-problem-vat-checksum = numéro de TVA { $value } : les chiffres de contrôle devraient être { $expected }
imp-problem-vat-format = numéro de TVA { $value } : le préfixe du pays doit être suivi de 2 à 12 lettres ou chiffres
imp-problem-barcode-empty = le code-barres est vide
imp-problem-barcode-national-length = le code-barres national compte { $length } chiffres : il doit en compter exactement 30
imp-problem-barcode-national-prefix = le code-barres national { $value } doit commencer par 010
imp-problem-barcode-s10-format = le code-barres « { $value } » ressemble à un code-barres international S10 mais n'est pas fait de 2 lettres, 9 chiffres et 2 lettres (comme RR473124829BE)
imp-problem-barcode-check-digit = code-barres { $value } : le chiffre de contrôle devrait être { $expected }
imp-problem-barcode-format = le code-barres « { $value } » n'est ni un code-barres national (30 chiffres commençant par 010) ni un code-barres international S10 (comme RR473124829BE)
imp-problem-price-empty = le prix est vide
imp-problem-price-comma-decimal = le prix utilise une virgule : écrivez les décimales après un point, par exemple 0.985
imp-problem-price-sign = le prix porte un signe : ce doit être un montant positif simple, comme 0.985
imp-problem-price-exponent = le prix utilise un exposant : écrivez-le comme un simple nombre décimal, par exemple 0.985
imp-problem-price-invalid-character = le prix ne peut contenir que des chiffres et un point, trouvé « { $value } »
imp-problem-price-multiple-dots = le prix contient plus d'un point
imp-problem-price-leading-dot = le prix commence par un point : écrivez 0.5, pas .5
imp-problem-price-trailing-dot = le prix se termine par un point : écrivez 12 ou 12.0, pas 12.
imp-problem-price-too-many-decimals = le prix a { $decimals } décimales : 3 au maximum sont permises
imp-problem-price-too-large = le prix dépasse le maximum de 1 000 000,000 EUR
imp-problem-quantity-negative = la quantité { $value } est négative
imp-problem-price-negative = le prix unitaire { $value } est négatif
imp-problem-amount-overflow = le montant de { $quantity } × { $unit_price } EUR est trop grand pour être calculé
imp-problem-header-missing-column = la colonne { $column } manque dans l'en-tête : un fichier { $kind } en a besoin
imp-problem-header-unknown-column = la colonne « { $column } » n'est pas une colonne d'un fichier { $kind } (les colonnes en trop sont une erreur)
imp-problem-header-duplicate-column = la colonne { $column } figure plus d'une fois dans l'en-tête
imp-problem-file-empty = le fichier est vide : une ligne d'en-tête avec les colonnes d'un fichier { $kind } est attendue
imp-problem-invalid-utf8 = texte UTF-8 non valide
imp-problem-unknown-reference = { $reference ->
    [customer] aucun client { $value } (importez-le d'abord avec le flux customers)
    [product] aucun produit { $value } au catalogue
    [product_kind] le produit { $value } est de type { $kind }, pas { $wanted }
    [collection_point] aucun point d'enlèvement { $value } pour le client { $customer }
    [cost_centre] aucun centre de coûts { $value } pour le client { $customer }
   *[row_kind] une ligne { $value } n'est pas une ligne de ce flux
    }
imp-problem-duplicate-in-file = { $key_column } { $key } figure déjà à la ligne { $first_line } avec d'autres valeurs
imp-problem-conflicts-with-stored = { $key_column } { $key } est déjà enregistré avec un autre { $column }
