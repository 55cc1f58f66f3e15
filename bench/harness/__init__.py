"""A load harness in separate processes (issue 14): the emulator, the bot under test and the load generator
each run in a process of their own and talk over loopback, as Telegram, a bot and its users would.

    emulator_process.py  the Bot API emulator, with /load/act: act as a user and wait for the reply
    generator.py         users at a fixed offered rate; prints what it measured as one JSON line
    scripts.py           what the users do: citizens filing reports, staff working an inbox, echo
    echo_bot.py          the baseline: an echo bot on the same python-telegram-bot stack
    processes.py         starting, waiting for and stopping those processes
"""
