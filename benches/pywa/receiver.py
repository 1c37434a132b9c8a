"""The webhook receiver a careful Python developer would deploy instead of hirechat's: pywa 4.5
parses and checks each delivery (X-Hub-Signature-256 against the app secret), a handler stores
each message in SQLite (WAL, synchronous=FULL) and commits, and only then is the 200 sent.

pywa's own FastAPI route answers 200 before its handlers run (they are background tasks), so a
delivery could be acknowledged and then lost; this route runs the handlers first.

    uvicorn receiver:app --workers 1 --port 8000   (PYWA_APP_SECRET, PYWA_DB)
"""

import os
import sqlite3
import threading

import fastapi
from fastapi.concurrency import run_in_threadpool
from pywa import WhatsApp, types

APP_SECRET = os.environ.get("PYWA_APP_SECRET", "bench-secret")
DB_PATH = os.environ.get("PYWA_DB", "pywa-bench.db")

db = sqlite3.connect(DB_PATH, check_same_thread=False)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute(
    "CREATE TABLE IF NOT EXISTS messages ("
    " wamid TEXT PRIMARY KEY, sender TEXT NOT NULL, name TEXT, at INTEGER NOT NULL,"
    " type TEXT NOT NULL, body TEXT)"
)
# One connection, one writer at a time: sqlite3 connections are not safe to share otherwise.
db_lock = threading.Lock()

app = fastapi.FastAPI()
wa = WhatsApp(
    phone_id="106540352242922",
    token="unused",
    verify_token="bench-verify",
    app_secret=APP_SECRET,
    validate_updates=True,
)


@wa.on_message()
def store(_: WhatsApp, msg: types.Message) -> None:
    with db_lock:
        db.execute(
            "INSERT OR IGNORE INTO messages (wamid, sender, name, at, type, body)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                msg.id,
                msg.from_user.wa_id,
                msg.from_user.name,
                int(msg.timestamp.timestamp()),
                str(msg.type),
                msg.text,
            ),
        )
        db.commit()


@app.post("/webhook")
async def webhook(request: fastapi.Request) -> fastapi.Response:
    body = await request.body()
    error = wa.webhook_update_validator(
        update=body, hmac_header=request.headers.get("x-hub-signature-256", "")
    )
    if error:
        return fastapi.Response(content=error[0], status_code=error[1])
    # The handlers (the insert and its commit) run before the answer.
    content, status = await run_in_threadpool(wa.webhook_update_handler, body)
    return fastapi.Response(content=content, status_code=status)


@app.get("/count")
def count() -> dict:
    with db_lock:
        return {"messages": db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]}
