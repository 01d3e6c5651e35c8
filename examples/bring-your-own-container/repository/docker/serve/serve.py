"""Answer SageMaker's GET /ping and POST /invocations (CSV rows of features, one prediction per line) on port 8080."""
import io
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import joblib
import pandas as pd

MODEL = joblib.load('/opt/ml/model/model.joblib')


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.answer(200 if self.path == '/ping' else 404, b'')

    def do_POST(self):
        if self.path != '/invocations':
            return self.answer(404, b'')
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        rows = pd.read_csv(io.BytesIO(body), header=None)
        self.answer(200, '\n'.join(f'{p:.4f}' for p in MODEL.predict(rows)).encode())

    def answer(self, status, body):
        self.send_response(status)
        self.send_header('Content-Type', 'text/csv')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(('0.0.0.0', 8080), Handler).serve_forever()
