"""Use cases: one module per thing the contact centre does, the only code that coordinates storage, the
domain and telephony.

The rule: a service function takes the process's `Runtime` (`rt`: Redis, the database, the clock, the scripts,
the Twilio client) and ids and primitives, does one use case, and returns plain data. Web adapters (the
webhooks and pages) and RQ jobs (`callflow/jobs.py`) are entry points of a few lines that call one service
each; nothing below a service (the store and domain modules) calls one. A service that leaves work for later
names its job (`queued.enqueue(rt, "distribute", ...)`) instead of importing `callflow.jobs`, which imports
the services.

- `ivr.py`: a call's IVR step (an engine step stored; a caller who needs a department put in its line).
- `callers.py`: whose call a webhook is about (their details, script, department) and whether it has ended.
- `call_ends.py`: a call's end as Twilio's status callback reports it.
- `holding.py`: a caller in a department's line: the question 'hold or call back?', estimates, promises.
- `waiting.py`: a caller waiting in Twilio's queue: updates, hold music, leaving the queue, connecting.
- `callback_requests.py`: a caller asking for a callback: the number, its checks, booking, a time, after hours.
- `callback_calls.py`: the callback call: the customer answers and is brought to the reserved agent.
- `summaries.py`: closing a call and writing its summary (the one writer).
- `after_call.py`: the SMS of the actions promised, the survey (question and answer), a filed disposition.
- `ringing.py`: matching callers with free agents and ringing them; placing a callback's call exactly once.
- `agents.py`: presence and wrap-up; the agent's leg (whisper, hang-up); the caller's leg during and after the
  conversation.
- `callbacks.py`: a callback's rules and outcomes: its place in line, the end of its call, giving up.
- `callback_turns.py`: a callback's turn coming back (a retry, a booked time).
- `callback_sweeper.py`: reclaiming what a dead worker or a lost Redis left behind.
- `scripts.py`: the scripts one process serves: the files, the publications laid over them, the texts shared
  in Redis, the version a call started with.
- `publishing.py`: an administrator's drafts, publications, rollbacks, imports and exports (a publish parses
  its text once).
- `draft_calls.py`: an administrator's test call of the text in the editor.
- `learning.py`: the examples call steering learned (listed, imported, removed, a phrase tried).
- `routers.py`: loading, training, retraining and publishing call-steering routers.
- `warm_up.py`: a web process made ready before its first caller (scripts, routers) and kept current beside
  its traffic.
- `cold_work.py`: a script parsed or a router trained while a webhook's caller waits, logged and noted.
- `worker.py`: a worker process's start-up and watchers (scripts, Twilio's queues, the sweeper, the timer).
- `queued.py`: how a service names the jobs it leaves for a worker.
- `console.py`: the agent console's board: presence, queues with their estimates, the screen pop, the call in hand.
- `console_view.py`: what the console shows, as plain data (queues, presence, screen pop, controls, calls to close).
- `call_actions.py`: an agent's call from the console: transfer, end, and filing its disposition.
- `transfers.py`: passing a caller to another department (cold or warm), ending a call.
- `calls_taken.py`: an agent's recent calls and their summaries; the API's summaries.
- `logins.py`: logging in, throttled.
- `roster.py`: who works here: hiring and retiring agents, the staff page's team.
- `wallboard.py`: the supervisors' wallboard: each line's departments now and today, rated against targets.
- `metrics.py`: the figures for Prometheus: what each process counts, and the centre read at each scrape.
"""
