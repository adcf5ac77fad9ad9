# E-mail: shared parts. Each message has <key>-subject and <key>-body (paragraphs separated by blank lines).
mail-greeting = Dear { $name },
mail-signature = The Collect & Stamp Service Centre
mail-test-subject = Test message
mail-test-body = This is a test message of the Collect & Stamp portal.
