// httpd.js — a small HTTP server for the remote-input tests, on loopback:
//   node httpd.js PORT ROOT
// Routes (NAME is a file under ROOT):
//   /ping                  200
//   /file/NAME             the file (Range: bytes=N- honoured, ETag sent)
//   /flaky/K/NAME          503 for the first K requests of that path, then the file
//   /drop/NAME             the first request sends half the file and cuts the
//                          connection; later ones serve it (with Range)
//   /auth/USER/PASS/NAME   the file with HTTP basic auth, else 401
//   /forbidden             403     /missing   404    /broken   500 always
//   /stall/NAME            the first half of the file (up to a line end), then
//                          nothing for 60 s
// Every request is appended to ROOT/../.http-requests as one line:
//   METHOD PATH range=<Range header> auth=<yes|no>
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const port = Number(process.argv[2]);
const root = process.argv[3];
const logFile = path.join(root, '..', '.http-requests');
const counts = {};

function etagOf(data) {
	return '"' + crypto.createHash('md5').update(data).digest('hex') + '"';
}

function readFile(name, res) {
	const p = path.join(root, path.basename(name));
	try {
		return fs.readFileSync(p);
	} catch (e) {
		res.writeHead(404, { 'Content-Type': 'text/plain' });
		res.end('no such file\n');
		return null;
	}
}

function serve(req, res, data) {
	const etag = etagOf(data);
	const range = /^bytes=(\d+)-$/.exec(req.headers.range || '');
	if (range) {
		if (req.headers['if-match'] && req.headers['if-match'] !== etag) {
			res.writeHead(412);
			res.end();
			return;
		}
		const start = Number(range[1]);
		res.writeHead(206, {
			'Content-Length': data.length - start,
			'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}`,
			'Accept-Ranges': 'bytes',
			ETag: etag,
		});
		res.end(data.subarray(start));
		return;
	}
	res.writeHead(200, { 'Content-Length': data.length, 'Accept-Ranges': 'bytes', ETag: etag });
	res.end(data);
}

const server = http.createServer((req, res) => {
	fs.appendFileSync(logFile, `${req.method} ${req.url} range=${req.headers.range || ''} auth=${req.headers.authorization ? 'yes' : 'no'}\n`);
	const parts = req.url.split('?')[0].split('/').filter(Boolean);
	counts[req.url] = (counts[req.url] || 0) + 1;
	const n = counts[req.url];
	let data;
	switch (parts[0]) {
	case 'ping':
		res.end('ok\n');
		return;
	case 'file':
		if ((data = readFile(parts[1], res)))
			serve(req, res, data);
		return;
	case 'flaky':
		if (n <= Number(parts[1])) {
			res.writeHead(503, { 'Content-Type': 'text/plain' });
			res.end('try again\n');
			return;
		}
		if ((data = readFile(parts[2], res)))
			serve(req, res, data);
		return;
	case 'drop':
		if (!(data = readFile(parts[1], res)))
			return;
		if (n === 1) {
			res.writeHead(200, { 'Content-Length': data.length, 'Accept-Ranges': 'bytes', ETag: etagOf(data) });
			res.write(data.subarray(0, Math.floor(data.length / 2)), () => {
				setTimeout(() => req.socket.destroy(), 100);
			});
			return;
		}
		serve(req, res, data);
		return;
	case 'auth': {
		const want = 'Basic ' + Buffer.from(`${parts[1]}:${parts[2]}`).toString('base64');
		if (req.headers.authorization !== want) {
			res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="t"' });
			res.end('who are you\n');
			return;
		}
		if ((data = readFile(parts[3], res)))
			serve(req, res, data);
		return;
	}
	case 'forbidden':
		res.writeHead(403);
		res.end('no\n');
		return;
	case 'broken':
		res.writeHead(500);
		res.end('broken\n');
		return;
	case 'stall': {
		if (!(data = readFile(parts[1], res)))
			return;
		const half = data.indexOf(10, Math.floor(data.length / 2)) + 1;
		res.writeHead(200, { 'Content-Length': data.length });
		res.write(data.subarray(0, half));
		const t = setTimeout(() => res.end(data.subarray(half)), 60000);
		req.on('close', () => clearTimeout(t));
		return;
	}
	default:
		res.writeHead(404);
		res.end('not here\n');
	}
});
server.listen(port, '127.0.0.1');
