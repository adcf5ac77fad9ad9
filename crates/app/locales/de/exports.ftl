error-too-many-exports = Gerade werden zu viele Downloads vorbereitet. Bitte versuchen Sie es in einer Minute erneut.
