# E-mail : parties communes. Chaque message a <clé>-subject et <clé>-body (paragraphes séparés par une ligne vide).
mail-greeting = Bonjour { $name },
mail-signature = Le Service Centre Collect & Stamp
mail-test-subject = Message de test
mail-test-body = Ceci est un message de test du portail Collect & Stamp.
mail-invitation-subject = Votre accès au portail Collect & Stamp
mail-invitation-body = Un compte a été créé pour vous sur le portail Collect & Stamp. Votre nom d’utilisateur est { $username }.

    Choisissez votre mot de passe avec le lien ci-dessous. Il ne peut servir qu’une fois et reste valable 72 heures.
mail-reset-subject = Choisissez un nouveau mot de passe pour le portail Collect & Stamp
mail-reset-body = Un nouveau mot de passe a été demandé pour votre compte { $username }.

    Choisissez-le avec le lien ci-dessous. Il ne peut servir qu’une fois et reste valable 1 heure. Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.
