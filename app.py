"""Entry point: `app = create_app()`; `python app.py` serves with Flask-SocketIO (threading)."""
import os

from facilitation import create_app
from facilitation.extensions import socketio

app = create_app()

if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
