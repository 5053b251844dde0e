// tok chat: plain JavaScript, no build step. Protocol: see the example's README.
(function () {
  'use strict';

  var ID = /^[A-Za-z0-9_.-]{1,64}$/;
  var BACKOFF_MIN_MS = 500;
  var BACKOFF_MAX_MS = 15000;
  var ONLINE_REFRESH_MS = 5000;
  var ACK_DELAY_MS = 1000;    // at-least-once: acknowledgements go out in batches, at most one a second

  var $ = function (id) { return document.getElementById(id); };
  var state = {
    name: null,
    device: 'web-' + Math.random().toString(36).slice(2, 8),
    socket: null,
    wanted: false,      // should a connection exist (signed in, not kicked)?
    attempts: 0,        // failed attempts since the last open
    reconnects: 0,      // reconnects scheduled since the page loaded
    retryTimer: null,
    onlineTimer: null,
    nextCid: 1,
    pending: {},        // cid -> log entry of a sent message
    lastId: 0,          // at-least-once: the highest message id shown; lower or equal ids are duplicates
    duplicates: 0,      // redelivered messages dropped
    ackTimer: null
  };

  // Acknowledges everything shown so far, a moment later: one frame for a burst of messages. If the
  // connection drops first, the server writes the unacknowledged messages again after the
  // reconnect; they are dropped as duplicates, and acknowledged then.
  function scheduleAck() {
    if (state.ackTimer) { return; }
    state.ackTimer = setTimeout(function () {
      state.ackTimer = null;
      sendFrame({ type: 'received', id: state.lastId });
    }, ACK_DELAY_MS);
  }

  function setStatus(kind, text) {
    var s = $('status');
    s.dataset.state = kind;
    s.textContent = text;
  }

  function time(ts) {
    var d = ts ? new Date(ts) : new Date();
    return d.toLocaleTimeString();
  }

  function bodyText(body) {
    if (typeof body === 'string') { return body; }
    if (body && typeof body === 'object' && typeof body.text === 'string') { return body.text; }
    return JSON.stringify(body);
  }

  function addEntry(cls, who, text, ts) {
    var li = document.createElement('li');
    li.className = cls;
    if (who) {
      var w = document.createElement('span');
      w.className = 'who';
      w.textContent = who;
      li.appendChild(w);
    }
    var t = document.createElement('span');
    t.className = 'text';
    t.textContent = text;
    li.appendChild(t);
    if (cls !== 'system') {
      var tm = document.createElement('span');
      tm.className = 'time';
      tm.textContent = time(ts);
      li.appendChild(tm);
    }
    var log = $('log');
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function system(text) { return addEntry('system', null, text); }

  function setEntryState(li, text) {
    var s = li.querySelector('.state');
    if (!s) {
      s = document.createElement('span');
      s.className = 'state';
      li.appendChild(s);
    }
    s.textContent = text;
  }

  function showUsers(users) {
    var ul = $('users');
    var key = users.join('\n');
    if (ul.dataset.users === key) { return; }   // unchanged: keep the list as it is
    ul.dataset.users = key;
    ul.textContent = '';
    users.forEach(function (u) {
      var li = document.createElement('li');
      li.textContent = u;
      li.title = 'write to ' + u;
      li.addEventListener('click', function () { $('to').value = u; $('text').focus(); });
      ul.appendChild(li);
    });
  }

  function sendFrame(obj) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }

  function socketUrl() {
    var scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var token = state.name + '/' + state.device;
    return scheme + '//' + location.host + '/ws?token=' + encodeURIComponent(token);
  }

  function connect() {
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    if (!state.wanted) { return; }
    setStatus('connecting', state.attempts ? 'connecting… (attempt ' + (state.attempts + 1) + ')' : 'connecting…');
    var ws = new WebSocket(socketUrl());
    var opened = false;
    state.socket = ws;
    ws.onopen = function () {
      opened = true;
      state.attempts = 0;
      setStatus('connected', 'connected as ' + state.name);
      system('connected');
      $('send').disabled = false;
      sendFrame({ type: 'online' });
      clearInterval(state.onlineTimer);
      state.onlineTimer = setInterval(function () { sendFrame({ type: 'online' }); }, ONLINE_REFRESH_MS);
    };
    ws.onmessage = function (event) {
      var m;
      try { m = JSON.parse(event.data); } catch (e) { system('unreadable frame from the server'); return; }
      handle(m);
    };
    ws.onclose = function (event) {
      if (state.socket !== ws) { return; }
      state.socket = null;
      clearInterval(state.onlineTimer);
      $('send').disabled = true;
      if (!state.wanted) { return; }
      if (opened) { system('connection lost (' + (event.code || 'no code') + ')'); }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    state.attempts += 1;
    state.reconnects += 1;
    $('status').dataset.attempt = String(state.attempts);
    $('status').dataset.reconnects = String(state.reconnects);
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, state.attempts - 1));
    var delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);   // exponential backoff with jitter
    var until = Date.now() + delay;
    var tick = function () {
      var left = Math.max(0, until - Date.now());
      setStatus('reconnecting', 'disconnected, reconnecting in ' + (left / 1000).toFixed(1) + ' s (attempt ' + state.attempts + ')');
      if (left > 0 && state.wanted && !state.socket) { state.retryTimer = setTimeout(tick, Math.min(left, 250)); }
      else { connect(); }
    };
    tick();
  }

  function handle(m) {
    switch (m.type) {
      case 'msg':
        if (typeof m.id === 'number') {
          // At-least-once (the server's --delivery at-least-once): a message the page already
          // showed may come again after a reconnect. Show each id once, acknowledge what is shown.
          if (m.id <= state.lastId) {
            state.duplicates += 1;
            $('log').dataset.duplicates = String(state.duplicates);   // for the tests
          } else {
            state.lastId = m.id;
            addEntry('in', m.from, bodyText(m.body), m.ts);
          }
          scheduleAck();
        } else {
          addEntry('in', m.from, bodyText(m.body), m.ts);
        }
        break;
      case 'ack':
        if (state.pending[m.cid]) { setEntryState(state.pending[m.cid], '✓'); delete state.pending[m.cid]; }
        break;
      case 'error':
        if (m.cid && state.pending[m.cid]) {
          var li = state.pending[m.cid];
          li.classList.add('error');
          setEntryState(li, '✗ ' + m.error);
          delete state.pending[m.cid];
        } else {
          addEntry('system error', null, 'error: ' + m.error);
        }
        break;
      case 'online':
        showUsers(m.users || []);
        break;
      case 'ping':
        sendFrame({ type: 'pong' });
        break;
      case 'bye':
        if (m.reason === 'shutdown') {
          // The server is shutting down: the close follows; reconnect (to another node, if any).
          system('the server is shutting down; reconnecting');
          break;
        }
        // Single sign-on: this user signed in somewhere else. Do not fight over the session.
        state.wanted = false;
        setStatus('kicked', 'signed in elsewhere');
        system('signed in elsewhere (' + m.reason + '): this page stopped; sign in again to take over');
        showLogin();
        break;
      default:
        break;
    }
  }

  function showLogin() {
    $('chat-view').hidden = true;
    $('login-view').hidden = false;
  }

  $('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var name = $('name').value.trim();
    if (!ID.test(name)) {
      $('login-error').textContent = 'Use 1 to 64 letters, digits, _ . or -';
      $('login-error').hidden = false;
      return;
    }
    $('login-error').hidden = true;
    state.name = name;
    state.wanted = true;
    state.attempts = 0;
    $('me').textContent = name;
    $('login-view').hidden = true;
    $('chat-view').hidden = false;
    $('send').disabled = true;
    $('to').focus();
    connect();
  });

  $('logout').addEventListener('click', function () {
    state.wanted = false;
    clearTimeout(state.retryTimer);
    clearInterval(state.onlineTimer);
    if (state.socket) { state.socket.close(1000, 'signed out'); state.socket = null; }
    setStatus('signed-out', 'not signed in');
    system('signed out');
    showLogin();
  });

  $('refresh').addEventListener('click', function () { sendFrame({ type: 'online' }); });

  $('send-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var to = $('to').value.trim();
    var text = $('text').value;
    if (!ID.test(to)) { system('"' + to + '" is not a user name'); return; }
    if (!text) { return; }
    var cid = state.name + '-' + state.device + '-' + (state.nextCid++);
    if (!sendFrame({ type: 'send', to: to, body: text, ttl: 86400, cid: cid })) {
      system('not connected: message not sent');
      return;
    }
    var li = addEntry('out', '→ ' + to, text);
    li.dataset.cid = cid;
    setEntryState(li, '…');
    state.pending[cid] = li;
    $('text').value = '';
    $('text').focus();
  });
})();
