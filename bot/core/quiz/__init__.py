"""Quizzes: the personal quiz's progress, team quizzes in a channel, scheduled quizzes.

Kept import-light: :mod:`bot.core.config` imports :mod:`bot.core.quiz.config`, so nothing here may pull in
Redis, Slack or Teams. The parts:

* :mod:`.config`     the ``quiz`` section of the organisation YAML;
* :mod:`.progress`   spaced-repetition progress per hashed user, lent to the pure quiz dialog;
* :mod:`.backend`    team quiz storage: Redis (hashes, sorted sets, SET NX) or memory;
* :mod:`.team`       team questions: open, answer once per person, close once, results, leaderboard;
* :mod:`.scheduler`  scheduled quizzes and closing due questions (run by ``canishare worker``);
* :mod:`.posting`    how the scheduler reaches Slack and Teams channels.
The personal quiz itself is the pure dialog :mod:`dialogs.quiz`.
"""
