"""A local stand-in for the demo's provider APIs (WhatsApp messages, calendar events).

The demo workspace has no accounts with the real providers, so the demo script starts
this server on 127.0.0.1 and points GREEN_API_URL and GOOGLE_CALENDAR_URL at it. It
answers the requests the example policy declares: reads return a little JSON, erasures
return 204, updates 200.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if "/messages" in self.path:
            self._send(200, {"messages": [{"id": "wa-1", "text": "Hello from WhatsApp"}], "next_cursor": None})
        elif "/events/" in self.path:
            self._send(200, {"id": self.path.rsplit("/", 1)[-1], "summary": "Meeting"})
        else:
            self._send(404, {"error": "not found"})

    def do_DELETE(self):
        self._send(204)

    def do_PATCH(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(length, 65536))
        self._send(200, {"updated": True})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
