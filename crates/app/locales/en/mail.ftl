# E-mail: shared parts. Each message has <key>-subject and <key>-body (paragraphs separated by blank lines).
mail-greeting = Dear { $name },
mail-signature = The Collect & Stamp Service Centre
mail-test-subject = Test message
mail-test-body = This is a test message of the Collect & Stamp portal.
mail-invitation-subject = Your access to the Collect & Stamp portal
mail-invitation-body = An account was created for you on the Collect & Stamp portal. Your username is { $username }.

    Choose your password with the link below. It can be used once and stays valid for 72 hours.
mail-reset-subject = Choose a new password for the Collect & Stamp portal
mail-reset-body = A new password was requested for your account { $username }.

    Choose it with the link below. It can be used once and stays valid for 1 hour. If you did not ask for this, you can ignore this message: your password stays as it is.
