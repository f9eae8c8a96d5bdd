#!/usr/bin/env node
// A clean-room PhotoKit background upload extension for the OneDrive (Microsoft Graph) cloud,
// written for Node.js 20 with the standard library only. It speaks upcert's extension protocol
// (docs/protocol.md) itself: no client library.
//
// Design, in short:
//  - one JSON state file in the app group ("cleanroom-od/state.json"), re-read at every call: a
//    record per resource (asset#TYPE) with its state, its current upload session, its failure
//    history and the time before which it must not be tried again;
//  - identity of a job = the upload session URL of its destination (the only field reliably present
//    in every state), kept in a session index in the state file, plus an "X-Cleanroom-Key" header;
//  - intent first: the session is written to the state as "uncertain" before the create block, and
//    "inflight" after it committed; an uncertain intent is settled by the job sets (PROCESS from
//    iOS 26.5), by the cloud (Graph "get item by path") or, failing both, by the session's expiry;
//  - every call: fetch PROCESS (26.5+), RETRY, ACKNOWLEDGE; record every outcome durably, then one
//    block of retries (each with a fresh upload session) and acknowledgements, then create blocks up
//    to the job limit; PROCESSING while anything is in flight or waiting, COMPLETED when nothing is;
//  - retry policy: a failed upload is first checked in the cloud (a lost answer may have stored it);
//    network-level failures are retried at once then spaced (never abandoned); server refusals are
//    retried twice at once with a fresh session, then spaced 1, 2, 4, 8, 15 min; given up only after
//    8 refusals spanning 40 minutes; "retry-after" is honoured.
'use strict';

const net = require('net');

const STATE_FILE = 'cleanroom-od/state.json';
const MAX_REQUEST_BYTES = 60 * 1024 * 1024; // Graph: each upload request under 60 MiB
const CALL_BUDGET_MS = 20000;                // stop starting new work after 20 s of a call (limit 60 s)
const LOOKUPS_PER_CALL = 40;                 // "get item by path" checks per call
const GIVE_UP_REFUSALS = 8;
const GIVE_UP_SPAN_MS = 40 * 60 * 1000;
// Twins with one deliberate bug (examples/mutant_*.js set it before loading this file); '' is the extension.
const MUTANT = process.env.CLEANROOM_MUTANT || '';

// ---------------------------------------------------------------- protocol plumbing

class RpcError extends Error {
  constructor(code, message, data) { super(`rpc ${code}: ${message}`); this.code = code; this.data = data || {}; }
}
class Killed extends Error {}          // error 4: unwind, send nothing more
class StorageLocked extends Error {}   // error 9

let sock;
let buffer = '';
let nextId = 1;
const pending = new Map();
let epochMs = null;
let maxT = 0;
let maxNextJob = 1;
let extension = null;

function send(obj) { sock.write(JSON.stringify(obj) + '\n'); }

function onLine(line) {
  if (!line.trim()) return;
  const msg = JSON.parse(line);
  if (typeof msg.t === 'number' && msg.t > maxT) maxT = msg.t;
  if (typeof msg.nextJob === 'number' && msg.nextJob > maxNextJob) maxNextJob = msg.nextJob;
  if (msg.method !== undefined) { serve(msg); return; }
  const p = pending.get(msg.id);
  if (!p) return;
  pending.delete(msg.id);
  if (msg.error) p.reject(new RpcError(msg.error.code, msg.error.message, msg.error.data));
  else p.resolve(msg.result === undefined ? null : msg.result);
}

function request(method, params) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    send({ jsonrpc: '2.0', id, method, params });
  });
}

function answer(id, result) { send({ jsonrpc: '2.0', id, result }); }
function answerError(id, code, message, data) { send({ jsonrpc: '2.0', id, error: { code, message, data: data || {} } }); }

async function serve(msg) {
  const { id, method, params } = msg;
  try {
    if (method === 'launch') {
      extension = new CleanroomOneDrive();
      answer(id, { extension: 'CleanroomOneDriveExtension' });
    } else if (method === 'processJobs') {
      const ctx = new Context(params);
      let result;
      try {
        result = await extension.processJobs(ctx);
        await ctx.flushLookups();
      } catch (e) {
        if (e instanceof Killed || ctx.killed) { answerError(id, 4, 'killed'); return; }
        throw e;
      } finally {
        ctx.closed = true;
      }
      answer(id, result);
    } else if (method === 'willTerminate') {
      if (extension) extension.willTerminate();
      answer(id, null);
    } else if (method === 'exit') {
      answer(id, { threadsLeft: 0, threads: [] });
    } else {
      answerError(id, -32601, 'no such method: ' + method);
    }
  } catch (e) {
    answerError(id, 5, String(e), { exception: 'Error: ' + (e && e.message) });
  }
}

// One processJobs call's context: every request carries `call`.
class Context {
  constructor(params) {
    this.activation = params.activation;
    this.os = params.os;
    this.uploadUrlBase = params.uploadUrlBase;
    this.configuration = params.configuration || {};
    this.killed = false;
    this.closed = false;
    this.lookups = [];
    this.startT = maxT;
  }
  osAtLeast(v) {
    const a = String(this.os).split('.').map(Number), b = v.split('.').map(Number);
    for (let i = 0; i < 2; i++) { const x = a[i] || 0, y = b[i] || 0; if (x !== y) return x > y; }
    return true;
  }
  now() { return epochMs + maxT; }
  elapsed() { return maxT - this.startT; }
  async flushLookups() {
    if (this.lookups.length === 0 || this.killed) return;
    const lookups = this.lookups; this.lookups = [];
    await this.rawCall('job.headerLookups', { lookups });
  }
  async call(method, params) {
    if (this.killed) throw new Killed();
    await this.flushLookups();
    return this.rawCall(method, params);
  }
  async rawCall(method, params) {
    if (this.killed) throw new Killed();
    try {
      return await request(method, Object.assign({ call: this.activation }, params || {}));
    } catch (e) {
      if (e instanceof RpcError && e.code === 4) { this.killed = true; throw new Killed(); }
      if (e instanceof RpcError && e.code === 9) throw new StorageLocked(method);
      throw e;
    }
  }
  header(job, name) { // a response header, looked up (and reported) by its lowercase name
    const h = job.responseHeaderFields;
    if (!h) return undefined;
    this.lookups.push([job.id, name]);
    return h[name];
  }
  // storage
  async read(name) {
    const r = await this.call('storage.read', { name });
    return r === null ? null : Buffer.from(r.data, 'base64').toString('utf8');
  }
  async write(name, text) { await this.call('storage.write', { name, data: Buffer.from(text, 'utf8').toString('base64') }); }
  // library
  async performChanges(changes) {
    if (changes.length === 0) return { applied: 0, dropped: [] };
    const r = await this.call('library.performChanges', { changes });
    return r || { applied: changes.length, dropped: [] };
  }
  // http: resolves {status, headers, json, text} or {error} when no response arrived
  async http(method, url, headers, body) {
    const params = { request: { url, method, headers: headers || {} }, body: Buffer.from(body || '', 'utf8').toString('base64') };
    try {
      const r = await this.call('http.send', params);
      const text = r.body ? Buffer.from(r.body, 'base64').toString('utf8') : '';
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
      return { status: r.status, headers: r.headers || {}, text, json };
    } catch (e) {
      if (e instanceof RpcError && e.code === 2) return { status: 0, error: e.data && e.data.error, headers: {} };
      throw e;
    }
  }
}

// ---------------------------------------------------------------- the extension

function keyOf(res) { return `${res.asset}#${res.type}`; }
function enc(s) { return encodeURIComponent(s); }
function itemPath(r) { return 'CleanRoom/' + r.asset.split('/').map(enc).join('/') + '/' + enc(r.type + '-' + r.filename); }
function retryAfterMs(v, nowMs) {
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const d = Date.parse(s);
  return isNaN(d) ? null : Math.max(0, d - nowMs);
}
function refusalBackoff(n) { return n < 2 ? 0 : Math.min(60000 * Math.pow(2, n - 2), 15 * 60000); }
function networkBackoff(n) { return n <= 2 ? 0 : Math.min(30000 * Math.pow(2, n - 3), 5 * 60000); }

class CleanroomOneDrive {
  constructor() { this.terminating = false; }
  willTerminate() { this.terminating = true; }

  async processJobs(ctx) {
    this.terminating = false;
    try {
      return await this.run(ctx);
    } catch (e) {
      if (e instanceof Killed) throw e;
      if (e instanceof StorageLocked) return 'FAILURE';   // the container is protected: touch nothing
      try { await ctx.call('log', { level: 'error', message: 'call failed: ' + (e && e.stack || e) }); } catch (e2) { if (e2 instanceof Killed) throw e2; }
      return 'FAILURE';
    }
  }

  async loadState(ctx) {
    const text = await ctx.read(STATE_FILE);
    let s = null;
    if (text) { try { s = JSON.parse(text); } catch (_) { s = null; } }
    if (!s || s.v !== 1) s = { v: 1, gen: 0, server: null, token: null, res: {}, sess: {}, holdUntil: 0 };
    return s;
  }
  async save(ctx, s) { await ctx.write(STATE_FILE, JSON.stringify(s)); }

  async run(ctx) {
    const s = await this.loadState(ctx);
    this.s = s;
    const now = () => ctx.now();

    // A change of server (the host app's host/server, or another upload base): start the ledger anew.
    const hostServer = await ctx.read('host/server');
    const serverId = JSON.stringify([ctx.uploadUrlBase, ctx.configuration['cloud.apiUrl'] || '', hostServer || '']);
    if (s.server !== serverId) {
      if (s.server !== null) {
        s.gen += 1;
        for (const k of Object.keys(s.res)) {
          const r = s.res[k];
          // a job still out for the old server stays unacknowledged: no second job beside it (DUP-01)
          if (r.st === 'inflight' || r.st === 'uncertain') { r.blockedBy = r.sess; r.blockedExp = r.sessExp || 0; }
          if (r.st !== 'skipped') { r.st = 'pending'; r.refusals = 0; r.firstRefusal = 0; r.netFails = 0; r.notBefore = 0; r.sess = null; }
        }
        s.token = null;
      }
      s.server = serverId;
      await this.save(ctx, s);
    }

    const consent = (await ctx.call('library.authorizationStatus', {})) === 'AUTHORIZED'
      && (await ctx.call('library.isUploadJobExtensionEnabled', {})) === true;
    const jobLimit = await ctx.call('library.jobLimit', {});

    // The job sets: PROCESS first, so that a job finishing meanwhile shows in one set or both.
    const hasProcess = ctx.osAtLeast('26.5');
    const processSet = hasProcess ? await ctx.call('library.fetchJobs', { action: 'PROCESS' }) : [];
    const retrySet = await ctx.call('library.fetchJobs', { action: 'RETRY' });
    const ackSet = await ctx.call('library.fetchJobs', { action: 'ACKNOWLEDGE' });
    const retryable = new Set(retrySet.map(j => j.id));

    // Discovery: the whole library, every call. An empty answer is the library not answering.
    const assets = await ctx.call('library.fetchAssets', {});
    const libraryAnswered = assets.length > 0;
    if (libraryAnswered) {
      const seen = new Set();
      for (const a of assets) {
        for (const res of a.resources || []) {
          const k = keyOf(res); seen.add(k);
          let r = s.res[k];
          if (!r) {
            r = s.res[k] = { asset: res.asset, type: res.type, filename: res.filename, uti: res.uti, size: res.size,
              st: res.size >= MAX_REQUEST_BYTES ? 'skipped' : 'pending', refusals: 0, firstRefusal: 0, netFails: 0, notBefore: 0, sess: null };
          }
          r.missing = false;
        }
      }
      for (const k of Object.keys(s.res)) if (!seen.has(k)) s.res[k].missing = true;
    }

    const identify = (job) => {
      const url = job.destination && job.destination.url;
      const e = url && s.sess[url];
      if (e) return e.g === s.gen ? e.k : null;   // a job sent to a former server counts for nothing
      return undefined;                              // not ours (or a ledger lost): acknowledge only
    };

    // Settle uncertain intents and in-flight records against what the system shows.
    const live = new Set();
    for (const j of processSet) { const k = identify(j); if (k) live.add(k); }
    for (const j of ackSet) { const k = identify(j); if (k) live.add(k); }
    const urls = new Set();
    for (const j of processSet.concat(ackSet)) if (j.destination) urls.add(j.destination.url);
    for (const k of Object.keys(s.res)) {
      const r = s.res[k];
      if (!r.blockedBy || !consent) continue;
      if (urls.has(r.blockedBy)) continue;
      if (hasProcess || now() > r.blockedExp + 2 * 60000) r.blockedBy = null;
    }
    let lookupsLeft = LOOKUPS_PER_CALL;
    const tokenBox = { ctx, s };
    for (const k of Object.keys(s.res)) {
      const r = s.res[k];
      if (r.st !== 'uncertain' && r.st !== 'inflight') continue;
      if (live.has(k)) { r.st = 'inflight'; continue; }
      if (hasProcess && consent) { if (r.st === 'uncertain' || r.st === 'inflight') r.st = 'pending'; continue; }
      if (r.st === 'uncertain' && consent && !this.terminating && lookupsLeft > 0 && ctx.elapsed() < CALL_BUDGET_MS) {
        // No PROCESS set before 26.5: the cloud tells whether the upload landed; the session's expiry
        // bounds how long a job of it could still be waiting (it would fail at start, and show).
        lookupsLeft--;
        const found = await this.lookup(ctx, tokenBox, r);
        if (found === true) { r.st = 'done'; r.sess = null; continue; }   // the bytes are there
        if (found === false && r.sessExp && now() > r.sessExp + 2 * 60000) { r.st = 'pending'; r.sess = null; }
      }
    }

    // Outcomes of the finished jobs, recorded before anything is acknowledged.
    const toAck = [];
    const toRetry = [];   // {job, key}
    let moved = 0;           // job changes committed in this call
    let cloudTrouble = false; // the cloud refused or did not answer a request of ours
    let expiredSeen = false;
    const unackedAtStart = Math.max(1, processSet.length + ackSet.length);
    for (const job of ackSet) {
      const k = identify(job);
      const r = k ? s.res[k] : null;
      if (!r) {
        const e = job.destination && s.sess[job.destination.url];
        if (e && s.res[e.k] && s.res[e.k].blockedBy === job.destination.url) s.res[e.k].blockedBy = null;
        toAck.push(job); continue;
      }
      if (job.state === 'SUCCEEDED') {
        r.st = 'done'; r.refusals = 0; r.netFails = 0; r.sess = null; r.excused = false;
        if (s.window) s.window = Math.min(jobLimit, s.window + 1);
        toAck.push(job); continue;
      }
      if (job.state !== 'FAILED') { toAck.push(job); continue; }
      if (MUTANT === 'gives-up-on-failure') { r.st = 'giveup'; toAck.push(job); continue; }
      if (r.st === 'done') { toAck.push(job); continue; }
      // count this outcome once, even when a kill makes the job show again
      const outcome = job.id + (retryable.has(job.id) ? ':first' : ':retried');
      const counted = r.lastOutcome === outcome;
      r.lastOutcome = outcome;
      const shows = ctx.osAtLeast('26.4');
      const code = shows && job.error ? job.error.code : null;
      if (code === -1100 || code === -1022 || (r.missing && libraryAnswered)) { r.st = 'gone'; toAck.push(job); continue; }
      // A lost answer or a resend of a stored upload: ask the cloud before anything else.
      if (lookupsLeft > 0 && !this.terminating && ctx.elapsed() < CALL_BUDGET_MS) {
        lookupsLeft--;
        const found = await this.lookup(ctx, tokenBox, r);
        if (found === true) { r.st = 'done'; r.refusals = 0; r.sess = null; toAck.push(job); continue; }
      }
      const headers = shows ? job.responseHeaderFields : null;
      const ra = headers ? retryAfterMs(ctx.header(job, 'retry-after'), now()) : null;
      let refusal = !shows || (headers && ra === null);
      if (refusal && job.destination && !this.terminating && ctx.elapsed() < CALL_BUDGET_MS) {
        // Was it the session? It lives 15 minutes: a job that waited longer in the system's queue
        // meets a 404. That is our destination expiring, not the server refusing the photo: a fresh
        // session at once, and fewer jobs queued at a time (the uplink did not carry them in time).
        const st = await ctx.http('GET', job.destination.url, {}, '');
        // A 404 says only that the session is gone by now: a refusal noticed after the session's end
        // looks the same. So one such excuse per streak of failures; the next 404 counts as a refusal.
        if (st.status === 404 && !r.excused) {
          refusal = false;
          r.excused = true;
          if (!expiredSeen) {
            expiredSeen = true;
            s.window = Math.max(4, Math.floor(Math.min(s.window || jobLimit, unackedAtStart) / 2));
          }
        }
      }
      if (!counted) {
        if (refusal) { r.refusals += 1; if (!r.firstRefusal) r.firstRefusal = now(); }
        else if (!headers && shows) r.netFails += 1;
      }
      if (refusal && r.refusals >= GIVE_UP_REFUSALS && now() - r.firstRefusal >= GIVE_UP_SPAN_MS) {
        r.st = 'giveup'; toAck.push(job); continue;
      }
      const wait = ra !== null ? ra : refusal ? refusalBackoff(r.refusals) : networkBackoff(r.netFails);
      r.notBefore = now() + wait;
      r.st = 'pending'; r.sess = null;
      if (wait === 0 && retryable.has(job.id) && consent && !r.missing) toRetry.push({ job, key: k });
      else toAck.push(job);
    }

    // Fresh sessions for the retries (a refused request is never resent as is).
    const retries = [];
    for (const t of toRetry) {
      const r = s.res[t.key];
      const sess = (!this.terminating && ctx.elapsed() < CALL_BUDGET_MS) ? await this.createSession(ctx, tokenBox, r) : null;
      if (!sess) { cloudTrouble = true; toAck.push(t.job); continue; }
      r.st = 'inflight'; r.sess = sess.url; r.sessExp = sess.exp; r.notBefore = 0;
      s.sess[sess.url] = { k: t.key, g: s.gen };
      retries.push({ job: t.job, dest: this.destination(t.key, r, sess.url) });
    }

    // Durable first, then the block.
    await this.save(ctx, s);
    if (toAck.length + retries.length > 0) {
      const changes = [];
      for (const t of retries) changes.push({ op: 'retry', job: t.job.id, destination: t.dest });
      for (const j of toAck) changes.push({ op: 'acknowledge', job: j.id });
      let outcome;
      try {
        outcome = await ctx.performChanges(changes);
      } catch (e) {
        if (!(e instanceof RpcError) || e.code !== 1) throw e;
        // The block was rejected whole (a retry over the limit): acknowledge the lot instead.
        for (const t of retries) { const r = s.res[t.key]; r.st = 'pending'; r.sess = null; }
        await this.save(ctx, s);
        outcome = await ctx.performChanges(toAck.concat(retries.map(t => t.job)).map(j => ({ op: 'acknowledge', job: j.id })));
      }
      moved += (outcome && outcome.applied) || 0;
      for (const d of (outcome && outcome.dropped) || []) {
        if (d.op === 'retry') { const t = retries[d.index]; if (t) { s.res[t.key].st = 'pending'; s.res[t.key].sess = null; } }
      }
    }

    // Capacity: every unacknowledged job counts.
    let unacked = 0;
    for (const k of Object.keys(s.res)) { const st = s.res[k].st; if (st === 'inflight' || st === 'uncertain') unacked++; }
    if (hasProcess) unacked = Math.max(unacked, processSet.length + retries.length);

    // Create new jobs for what waits, oldest first, within the limit and the call's budget.
    let limited = false, refusedBlock = false;
    const sinceRefused = now() < (s.holdUntil || 0);
    if (consent && libraryAnswered && !sinceRefused) {
      const candidates = Object.keys(s.res).filter(k => { const r = s.res[k]; return r.st === 'pending' && !r.missing && !r.blockedBy && r.notBefore <= now(); });
      let room = Math.min(jobLimit, s.window || jobLimit) - unacked;
      let i = 0;
      while (room > 0 && i < candidates.length && !this.terminating && ctx.elapsed() < CALL_BUDGET_MS && !limited && !refusedBlock && !cloudTrouble) {
        const batch = [];
        while (batch.length < Math.min(room, 20) && i < candidates.length && ctx.elapsed() < CALL_BUDGET_MS && !this.terminating) {
          const k = candidates[i++];
          const r = s.res[k];
          const sess = await this.createSession(ctx, tokenBox, r);
          if (!sess) { cloudTrouble = true; break; }
          r.st = 'uncertain'; r.sess = sess.url; r.sessExp = sess.exp; r.intentAt = now();
          s.sess[sess.url] = { k, g: s.gen };
          batch.push(k);
        }
        if (batch.length === 0) break;
        await this.save(ctx, s);   // intent first
        const first = maxNextJob;
        const changes = batch.map((k, n) => {
          const r = s.res[k];
          return { op: 'create', resource: { asset: r.asset, type: r.type, filename: r.filename, uti: r.uti, size: r.size },
            destination: this.destination(k, r, r.sess), placeholder: 'J' + String(first + n).padStart(6, '0') };
        });
        try {
          await ctx.performChanges(changes);
          for (const k of batch) s.res[k].st = 'inflight';
          room -= batch.length;
          moved += batch.length;
        } catch (e) {
          if (!(e instanceof RpcError) || e.code !== 1) throw e;
          for (const k of batch) { s.res[k].st = 'pending'; s.res[k].sess = null; }
          if (e.data && e.data.photosError === 'LIMIT_EXCEEDED') limited = true;
          else refusedBlock = true; // e.g. an asset gone meanwhile: the next call's scan sorts it out
        }
        await this.save(ctx, s);
      }
    }

    // What remains decides the answer.
    let inFlight = 0, waiting = 0, unknown = 0;
    for (const k of Object.keys(s.res)) {
      const r = s.res[k];
      if (r.st === 'inflight' || r.st === 'uncertain') inFlight++;
      else if (r.st === 'pending' && !r.missing) waiting++;
    }
    if (!libraryAnswered) unknown = 1;
    if (limited) return 'PROCESSING';
    if (unknown) return 'FAILURE';   // the library did not answer: we cannot say we are up to date
    // The cloud stopped us (sign-in or sessions refused) and nothing moves: say so, rather than
    // asking to be called again and again for nothing; the system tries again later.
    if (cloudTrouble && moved === 0 && inFlight === 0) return 'FAILURE';
    if (inFlight > 0 || waiting > 0) return 'PROCESSING';
    if (!consent) return 'PROCESSING';
    return 'COMPLETED';
  }

  destination(key, r, url) {
    return { url, method: 'PUT', headers: {
      'Content-Range': `bytes 0-${Math.max(0, r.size - 1)}/${r.size}`,
      'X-Cleanroom-Key': key } };
  }

  // -------------------------------------------------------------- Graph requests

  async token(ctx, box, force) {
    const s = box.s;
    if (!force && s.token && s.token.exp > ctx.now() + 5 * 60000) return s.token.value;
    const cfg = ctx.configuration;
    const form = `grant_type=client_credentials&client_id=${enc(cfg['cloud.clientId'] || '')}&client_secret=${enc(cfg['cloud.clientSecret'] || '')}`;
    const r = await ctx.http('POST', cfg['cloud.tokenUrl'], { 'Content-Type': 'application/x-www-form-urlencoded' }, form);
    if (r.status !== 200 || !r.json || !r.json.access_token) { this.noteTrouble(ctx, box, r); return null; }
    s.token = { value: r.json.access_token, exp: ctx.now() + (Number(r.json.expires_in) || 3600) * 1000 };
    return s.token.value;
  }

  noteTrouble(ctx, box, r) {
    const ra = r && r.headers ? retryAfterMs(r.headers['retry-after'], ctx.now()) : null;
    box.s.holdUntil = ctx.now() + (ra !== null ? ra : 30000);
  }

  async authed(ctx, box, method, url, headers, body) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const tok = await this.token(ctx, box, attempt > 0);
      if (!tok) return null;
      const r = await ctx.http(method, url, Object.assign({ Authorization: 'Bearer ' + tok }, headers), body);
      if (r.status === 401 && attempt === 0) continue;
      return r;
    }
    return null;
  }

  // A new upload session for the resource: {url, exp} or null (the cloud did not give one).
  async createSession(ctx, box, r) {
    const api = ctx.configuration['cloud.apiUrl'];
    const url = `${api}me/drive/items/root:/${itemPath(r)}:/createUploadSession`;
    const body = JSON.stringify({ item: { '@microsoft.graph.conflictBehavior': 'replace' }, fileSize: r.size });
    const resp = await this.authed(ctx, box, 'POST', url, { 'Content-Type': 'application/json' }, body);
    if (!resp || resp.status !== 200 || !resp.json || !resp.json.uploadUrl) { this.noteTrouble(ctx, box, resp); return null; }
    const exp = Date.parse(resp.json.expirationDateTime);
    return { url: resp.json.uploadUrl, exp: isNaN(exp) ? 0 : exp };
  }

  // Graph "get item by path": true (stored, of the resource's size), false (not there), null (unknown).
  async lookup(ctx, box, r) {
    const api = ctx.configuration['cloud.apiUrl'];
    const resp = await this.authed(ctx, box, 'GET', `${api}me/drive/root:/${itemPath(r)}`, {}, '');
    if (!resp) return null;
    if (resp.status === 200 && resp.json) return Number(resp.json.size) === Number(r.size);
    if (resp.status === 404) return false;
    return null;
  }
}

// ---------------------------------------------------------------- start

function main() {
  const path = process.env.UPCERT_CHANNEL;
  if (!path) { console.error('UPCERT_CHANNEL is not set'); process.exit(2); }
  sock = net.createConnection(path);
  sock.setEncoding('utf8');
  sock.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl); buffer = buffer.slice(nl + 1);
      onLine(line);
    }
  });
  sock.on('close', () => process.exit(0));
  sock.on('error', () => process.exit(0));
  sock.on('connect', () => {
    request('hello', { protocol: 1, client: 'cleanroom-node', language: 'javascript', pid: process.pid })
      .then((r) => { const e = Date.parse(r.epoch); if (!isNaN(e)) epochMs = e; })
      .catch(() => process.exit(1));
  });
}

// The epoch arrives with the hello answer, which may come after the first request: until then the
// clock reads from the documented default epoch (replaced as soon as the answer arrives).
epochMs = Date.parse('2026-01-05T08:00:00Z');
main();
