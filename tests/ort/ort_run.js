#!/usr/bin/env node
// SPDX-License-Identifier: MIT
//
// ort_run.js: runs an ONNX model with ONNX Runtime (onnxruntime-node, CPU
// execution provider) on raw float32 inputs; the oracle test's and the peer
// benchmark's ONNX Runtime side.  Find the package with NODE_PATH (the cache
// that tests/ort/install-ort.sh prints, plus /node_modules).
//
//   ort_run.js MODEL.onnx --shape C,H,W --input IN.f32 [--output OUT.f32]
//              [--batch N] [--threads T] [--opt all|extended|basic|disabled]
//              [--time RUNS] [--json]
//
// IN.f32 holds K images of C*H*W little-endian float32 values (the normalised
// tensor the model takes); they run in batches of N (the last may be smaller;
// the model's batch dimension must then be free).  OUT.f32 receives the first
// output's K rows, in order.  --time RUNS then times RUNS runs of the first
// batch (after one warm-up) and prints the median and the throughput.
'use strict';

const fs = require('fs');

const OPT_LEVELS = { all: 'all', extended: 'extended', basic: 'basic', disabled: 'disabled' };

// One CPU session: threads (intra-op; 0 means ONNX Runtime's default, all
// cores) and graph optimisation level as the caller asks, sequential execution.
async function createSession(ort, modelPath, { threads = 0, opt = 'all' } = {}) {
	if (!OPT_LEVELS[opt]) throw new Error(`--opt ${opt}: one of ${Object.keys(OPT_LEVELS).join(', ')}`);
	return ort.InferenceSession.create(modelPath, {
		executionProviders: ['cpu'],
		graphOptimizationLevel: OPT_LEVELS[opt],
		intraOpNumThreads: threads,
		interOpNumThreads: 1,
		executionMode: 'sequential',
	});
}

// Runs `images` (a Float32Array of n images of `shape` [C,H,W]) as one batch;
// returns the first output's data (n rows).
async function runBatch(ort, session, images, n, shape) {
	const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', images, [n, ...shape]) };
	const out = await session.run(feeds);
	return out[session.outputNames[0]].data;
}

function median(xs) {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Times `runs` runs of one batch of n images after one warm-up run: the
// median latency of a run in ms and the throughput in images per second that
// median gives.  This is the benchmark's measurement (bench/ort_peer.sh).
async function timeBatch(ort, session, images, n, shape, runs) {
	const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', images, [n, ...shape]) };
	await session.run(feeds);
	const ms = [];
	for (let i = 0; i < runs; i++) {
		const t0 = process.hrtime.bigint();
		await session.run(feeds);
		ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
	}
	const med = median(ms);
	return { median_ms: med, images_per_s: (n * 1000) / med, min_ms: Math.min(...ms), runs };
}

function parseArgs(argv) {
	const o = { batch: 1, threads: 0, opt: 'all', time: 0, json: false };
	const rest = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => {
			if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
			return argv[++i];
		};
		if (a === '--shape') o.shape = val().split(/[,x]/).map(Number);
		else if (a === '--input') o.input = val();
		else if (a === '--output') o.output = val();
		else if (a === '--batch') o.batch = Number(val());
		else if (a === '--threads') o.threads = Number(val());
		else if (a === '--opt') o.opt = val();
		else if (a === '--time') o.time = Number(val());
		else if (a === '--json') o.json = true;
		else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
		else rest.push(a);
	}
	if (rest.length !== 1 || !o.shape || !o.input)
		throw new Error('usage: ort_run.js MODEL.onnx --shape C,H,W --input IN.f32 [--output OUT.f32] ' +
			'[--batch N] [--threads T] [--opt all|extended|basic|disabled] [--time RUNS] [--json]');
	if (o.shape.length !== 3 || o.shape.some((d) => !Number.isInteger(d) || d < 1))
		throw new Error('--shape takes C,H,W');
	for (const k of ['batch', 'threads', 'time'])
		if (!Number.isInteger(o[k]) || o[k] < (k === 'batch' ? 1 : 0)) throw new Error(`--${k}: a count`);
	o.model = rest[0];
	return o;
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const ort = require('onnxruntime-node');
	const per = o.shape[0] * o.shape[1] * o.shape[2];
	const buf = fs.readFileSync(o.input);
	if (buf.length === 0 || buf.length % (per * 4) !== 0)
		throw new Error(`${o.input}: ${buf.length} bytes is not a whole number of ${o.shape.join('x')} float32 images`);
	// A copy, aligned for Float32Array, little-endian as the file is.
	const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
	const k = all.length / per;
	const session = await createSession(ort, o.model, o);
	if (o.output) {
		const rows = [];
		for (let i = 0; i < k; i += o.batch) {
			const n = Math.min(o.batch, k - i);
			rows.push(Float32Array.from(await runBatch(ort, session, all.subarray(i * per, (i + n) * per), n, o.shape)));
		}
		const out = Buffer.concat(rows.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength)));
		fs.writeFileSync(o.output, out);
	}
	if (o.time) {
		const n = Math.min(o.batch, k);
		const t = await timeBatch(ort, session, all.subarray(0, n * per), n, o.shape, o.time);
		const r = { ort: ort.env.versions.common, model: o.model, batch: n, threads: o.threads, opt: o.opt, ...t };
		if (o.json) console.log(JSON.stringify(r));
		else console.log(`batch ${n}, threads ${o.threads || 'default'}: median ${t.median_ms.toFixed(4)} ms, ` +
			`${t.images_per_s.toFixed(0)} images/s (${t.runs} runs)`);
	}
}

module.exports = { createSession, runBatch, timeBatch, median };

if (require.main === module) {
	main().catch((e) => {
		console.error(`ort_run: ${e.message}`);
		process.exit(1);
	});
}
