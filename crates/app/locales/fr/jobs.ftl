# La page des tâches en échec, pour l’opérateur (français).
nav-jobs = Tâches en échec
jobs-title = Tâches en échec
jobs-intro = Le travail en arrière-plan (e-mails, entretien) est tenté 8 fois en deux heures environ, puis abandonné et listé ici avec sa dernière erreur. Corrigez la cause, puis relancez la tâche : elle repart aussitôt, ses tentatives comptées à partir de zéro.
jobs-none = Aucune tâche n’a échoué.
jobs-caption = Tâches en échec, les plus récentes d’abord
jobs-col-failed-at = Abandonnée le
jobs-col-kind = Type
jobs-col-unique-key = Clé unique
jobs-col-attempts = Tentatives
jobs-col-last-error = Dernière erreur
jobs-col-action = Action
jobs-retry = Relancer
jobs-retried = La tâche { $id } est de nouveau dans la file.
jobs-unchanged = La tâche { $id } n’était pas en échec : rien n’a changé.
jobs-next-page = Tâches en échec plus anciennes
