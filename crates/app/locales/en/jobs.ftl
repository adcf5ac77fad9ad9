# The operator's page of failed jobs (English).
nav-jobs = Failed jobs
jobs-title = Failed jobs
jobs-intro = Background work (e-mails, housekeeping) is tried 8 times over about two hours, then given up and listed here with its last error. Fix the cause, then retry the job: it runs again at once, its tries counted from zero.
jobs-none = No job has failed.
jobs-caption = Failed jobs, newest first
jobs-col-failed-at = Given up at
jobs-col-kind = Kind
jobs-col-unique-key = Unique key
jobs-col-attempts = Tries
jobs-col-last-error = Last error
jobs-col-action = Action
jobs-retry = Retry
jobs-retried = Job { $id } is back in the queue.
jobs-unchanged = Job { $id } had not failed: nothing was changed.
jobs-next-page = Older failed jobs
