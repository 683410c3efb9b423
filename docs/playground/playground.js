// The playground: chainrule's own wheel running in Pyodide (CPython compiled to WebAssembly),
// its drawings laid out by Graphviz compiled to WebAssembly. Every file comes from this site
// (files.json lists them, docs/hooks.py puts them there); nothing is fetched from elsewhere.
// Python runs in a Web Worker (worker.js), so the page stays free while code runs: Stop (or
// Esc) ends the worker and starts a new one from the files this page already holds. Where no
// worker can start, worker.js runs on the page itself, Python then on the page's own thread.
// A classic script (not a module), so that it runs, and says what to do, from a file: address too.
//
// window.chainrule: `ready` (true once Python and chainrule are loaded), `run(code)` (a promise
// of the text the code printed, explanations included; drawings, math and step-through pages
// appear in the page), `stop()` (ends the run in progress and restarts Python: a promise of
// true once it is ready again, of false when nothing was running or Python runs on the page),
// `code` (the editor's text, to read or set), `timings` (ms since the page started: `ready`,
// `firstRun`; `restart`: how long the last restart took), `loaded` (bytes fetched),
// `inWorker` (false when Python runs on the page; `noWorker` then says why), `error` (why
// loading failed, or null).

(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const statusLine = $("cr-status");
  const codeArea = $("cr-code");
  const output = $("cr-output");
  const runButton = $("cr-run");
  const picker = $("cr-example");
  const started = performance.now();

  let becomeReady;
  const readiness = new Promise((resolve) => { becomeReady = resolve; });
  let held = null;  // what Python starts from: {files, base} for worker.js, and worker.js itself
  let python = null;  // the Python that runs the code (see connect)
  let queue = Promise.resolve();  // runs, one after the other
  let running = null;  // the promise of the run in progress, while there is one

  const api = {
    ready: false, run, stop, timings: {}, loaded: 0, error: null, python: null, inWorker: null,
    noWorker: null,
  };
  window.chainrule = api;

  const mb = (bytes) => (bytes / 1e6).toFixed(1) + " MB";

  function say(text, kind = "") {
    statusLine.textContent = text;
    statusLine.className = "cr-status" + (kind ? " cr-" + kind : "");
  }

  function fail(text, link = null) {
    api.error = text;
    say(text, "bad");
    if (link) {
      const anchor = Object.assign(document.createElement("a"), {href: link.href});
      anchor.textContent = link.text;
      statusLine.append(" ", anchor);
    }
    runButton.disabled = true;
  }

  // --- the editor (CodeMirror 5 when it loaded, else the plain textarea) and the examples

  function makeEditor(textarea) {
    const run = () => { if (!running) runButton.click(); };  // while running, the button stops
    if (!window.CodeMirror) {
      textarea.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          run();
        } else if (event.key === "Tab" && !event.shiftKey) {
          event.preventDefault();
          textarea.setRangeText("    ", textarea.selectionStart, textarea.selectionEnd, "end");
        }
      });
      return {
        get: () => textarea.value,
        set: (text) => { textarea.value = text; textarea.rows = text.split("\n").length + 1; },
      };
    }
    const cm = window.CodeMirror.fromTextArea(textarea, {
      mode: "python",
      lineNumbers: true,
      indentUnit: 4,
      matchBrackets: true,
      viewportMargin: Infinity,  // as tall as the code: the page scrolls, not the editor
      extraKeys: {
        "Ctrl-Enter": run,
        "Cmd-Enter": run,
        "Tab": (editor) => (editor.somethingSelected()
          ? editor.indentSelection("add") : editor.replaceSelection("    ", "end")),
        "Shift-Tab": "indentLess",
      },
    });
    return {get: () => cm.getValue(), set: (text) => cm.setValue(text)};
  }

  const editor = makeEditor(codeArea);
  Object.defineProperty(api, "code", {get: editor.get, set: (text) => editor.set(String(text))});

  function setUpExamples(examples) {
    for (const example of examples) {
      picker.append(new Option(example.title, example.id));
    }
    const wanted = new URLSearchParams(location.search).get("example");
    const first = examples.find((e) => e.id === wanted) || examples[0];
    picker.value = first.id;
    editor.set(first.code);
    picker.addEventListener("change", () => {
      editor.set(examples.find((e) => e.id === picker.value).code);
      const url = new URL(location.href);
      url.searchParams.set("example", picker.value);
      history.replaceState(null, "", url);
    });
    runButton.addEventListener("click", () => { if (running) stop(); else run(editor.get()); });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && running && python.inWorker) {
        event.preventDefault();
        stop();
      }
    });
  }

  // --- loading: every file fetched at once, the bytes counted as they arrive

  async function fetchBytes(name, counted = () => {}) {
    const response = await fetch(name);
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    const reader = response.body.getReader();
    const chunks = [];
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      chunks.push(value);
      counted(value.length);
    }
    const bytes = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
    let at = 0;
    for (const chunk of chunks) { bytes.set(chunk, at); at += chunk.length; }
    return bytes;
  }

  async function fetchAll(files) {
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    let arrived = 0;
    const show = () => say(`Loading Python ${api.python} in WebAssembly, Graphviz and chainrule: ` +
      `${mb(arrived)} of ${mb(total)}`);
    show();
    const counted = (bytes) => { arrived += bytes; api.loaded = arrived; show(); };
    return Promise.all(files.map(async (file) => [file, await fetchBytes(file.name, counted)]));
  }

  function addScript(bytes) {  // a script of this site, already fetched
    const script = document.createElement("script");
    script.textContent = new TextDecoder().decode(bytes);
    document.head.append(script);
  }

  // --- Python: in a worker, or on the page where no worker can start

  // Something to ask one thing at a time: ask(message, onUpdate) is a promise of the answer
  // ({loaded}, {done}, {failed}; {stopped} when end() came first), and onUpdate gets the
  // updates that come before it. `start(receive)` makes the channel (inWorker, onPage).
  function connect(start) {
    let waiting = null;  // {resolve, onUpdate}, while a question is open
    const channel = start((message) => {
      if (!waiting) return;
      if (message.update !== undefined) {
        waiting.onUpdate(message.update);
      } else {
        const {resolve} = waiting;
        waiting = null;
        resolve(message);
      }
    });
    return {
      inWorker: channel.inWorker,
      ask: (message, onUpdate = () => {}) => new Promise((resolve) => {
        waiting = {resolve, onUpdate};
        channel.send(message);
      }),
      end() {
        channel.end();
        if (waiting) {
          const {resolve} = waiting;
          waiting = null;
          resolve({stopped: true});
        }
      },
    };
  }

  function inWorker(receive) {
    held.url ??= URL.createObjectURL(new Blob([held.script], {type: "text/javascript"}));
    const worker = new Worker(held.url, {type: "module"});  // throws where there are none
    worker.onmessage = (event) => receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      receive({failed: event.message || "the worker stopped"});
    };
    return {inWorker: true, send: (message) => worker.postMessage(message), end: () => worker.terminate()};
  }

  function onPage(receive) {
    if (!window.chainrulePython) addScript(held.script);  // worker.js, run on the page
    const answer = window.chainrulePython(receive);
    return {inWorker: false, send: (message) => { answer(message); }, end: () => {}};
  }

  // Python with chainrule, started from the files held: a promise of chainrule's version.
  async function startPython() {
    const load = {load: {files: held.files, base: held.base}};
    if (!python || python.inWorker) {  // once on the page (no worker), it stays there
      try {
        python = connect(inWorker);
        const answer = await python.ask(load);
        if (answer.loaded !== undefined) return answer.loaded;
        python.end();
        api.noWorker = answer.failed;
      } catch (error) {  // no Worker at all: on to the page
        api.noWorker = String(error);
      }
    }
    python = connect(onPage);
    const answer = await python.ask(load);
    if (answer.failed !== undefined) throw new Error(answer.failed);
    return answer.loaded;
  }

  async function load() {
    if (location.protocol === "file:") {
      fail("The playground needs its site served over HTTP: browsers do not let a page opened " +
        "from the file system fetch files. In the site's folder run `python3 -m http.server`, " +
        "then open http://127.0.0.1:8000/playground/index.html.");
      return;
    }
    const manifest = await (await fetch("files.json")).json();
    api.python = manifest.python;
    setUpExamples(manifest.examples);
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      fail("This browser cannot run WebAssembly (it is missing or turned off), so it cannot run " +
        "Python here. Any recent Chrome, Edge, Firefox or Safari can, unless a policy turns it " +
        "off. You can still read the examples, and run them on your machine:",
      {href: "../getting-started.html", text: "Getting started"});
      return;
    }
    const [files, script] = await Promise.all([fetchAll(manifest.files), fetchBytes("worker.js")]);
    const named = (what) => files.filter(([f]) => f.what === what).map(([, bytes]) => bytes);
    addScript(named("graphviz")[0]);  // defines window.Viz: Graphviz in WebAssembly
    addScript(named("render")[0]);  // window.chainruleGraph: viz.wasm's drawing script
    held = {
      files: files.filter(([f]) => !["graphviz", "render"].includes(f.what))
        .map(([f, bytes]) => ({name: f.name, what: f.what, bytes})),
      base: new URL(".", location.href).href,
      script,
    };
    say(`Starting Python ${manifest.python} (Pyodide ${manifest.pyodide})…`);
    const version = await startPython();
    api.inWorker = python.inWorker;
    api.timings.ready = Math.round(performance.now() - started);
    say(`Ready: chainrule ${version} on Python ${manifest.python} (Pyodide ${manifest.pyodide}), ` +
      `${mb(api.loaded)} loaded in ${(api.timings.ready / 1000).toFixed(1)} s, from this site ` +
      "alone. Press Run (or Ctrl+Enter)" + (python.inWorker
        ? "; Stop (or Esc) ends a run."
        : ". Python runs on this page, as this browser could not start a worker for it: a long " +
          "loop keeps the page busy until it ends."), "good");
    runButton.disabled = false;
    api.ready = true;
    becomeReady();
  }

  // --- running: the runner's items shown as they come; the promise's value is the printed text

  function block(tag, className, text) {
    const element = document.createElement(tag);
    element.className = className;
    if (text !== undefined) element.textContent = text;
    output.append(element);
    return element;
  }

  // An item that is not printed text: a promise, kept while a drawing is laid out.
  async function showItem(item) {
    if (item.kind === "error") {
      block("pre", "cr-error", item.text);
    } else if (item.kind === "explanation") {
      const math = block("div", "cr-math");
      window.katex.render(item.latex, math, {displayMode: true, throwOnError: false});
      const details = block("details", "cr-explain-text");
      details.append(Object.assign(document.createElement("summary"), {textContent: "the same steps as text"}));
      details.append(Object.assign(document.createElement("pre"), {textContent: item.text}));
    } else if (item.kind === "drawing") {
      const holder = block("div", "cr-drawing");
      try {
        await window.chainruleGraph.draw(holder, item.dot, true);
      } catch (error) {
        holder.className = "cr-error";
        holder.textContent = "Graphviz (WebAssembly) could not draw this graph: " + error;
      }
    } else if (item.kind === "page") {
      const frame = block("iframe", "cr-page");
      frame.title = item.title;
      frame.sandbox = "allow-scripts";
      frame.srcdoc = item.html;
    }
  }

  const textOf = (item) => (item.kind === "page" || item.kind === "drawing" ? "" : item.text);

  // One run's output, from runner.py's updates: printed text in pieces, other items whole,
  // shown once a frame (a loop that prints without end sends many). Of a long printed text
  // the page keeps the end (about KEPT characters), so that it stays quick.
  const KEPT = 50000;

  function showing() {
    const texts = [];  // each item's text so far: a string, or {node, pre, dropped} when printed
    const drawings = [];
    const waiting = [];  // updates not shown yet
    const following = new Map();  // this frame's text boxes: whether their end showed

    function print(update) {
      if (!texts[update.at]) {
        const pre = block("pre", "cr-text");
        texts[update.at] = {node: pre.appendChild(document.createTextNode("")), pre, dropped: 0};
      }
      const text = texts[update.at];
      const {node, pre} = text;  // it scrolls; while its end shows, the end is followed
      if (!following.has(pre)) following.set(pre, pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8);
      const from = update.from - text.dropped;
      if (from < 0) {  // a line redrawn from before what is kept: the kept text is that line
        text.dropped = update.from;
        node.data = update.text;
      } else {
        node.replaceData(from, node.length - from, update.text);
      }
      if (node.length > KEPT) {  // the first lines go (CSS says so above the rest)
        const start = node.length - Math.floor(KEPT * 0.8);
        const cut = node.data.indexOf("\n", start) + 1 || start;
        node.deleteData(0, cut);
        text.dropped += cut;
        pre.dataset.dropped = text.dropped;
      }
    }

    function showWaiting() {
      for (const update of waiting.splice(0)) {
        if (update.item) {
          texts[update.at] = textOf(update.item);
          drawings.push(showItem(update.item));
        } else {
          print(update);
        }
      }
      for (const [pre, end] of following) if (end) pre.scrollTop = pre.scrollHeight;
      following.clear();
    }

    return {
      update(json) {
        if (!waiting.length) requestAnimationFrame(showWaiting);
        waiting.push(JSON.parse(json));
      },
      // everything shown, drawings laid out
      done: () => { showWaiting(); return Promise.all(drawings); },
      text: () => texts.map((t) => (typeof t === "string" ? t : t.node.data)).join(""),
    };
  }

  function showRunning(on) {
    runButton.textContent = on && python.inWorker ? "Stop" : "Run";
    runButton.classList.toggle("cr-stop", on && python.inWorker);
    runButton.title = on && python.inWorker ? "Stop this run (Esc)" : "";
    runButton.disabled = on && !python.inWorker;
  }

  function run(code) {
    const done = queue.then(() => runNow(String(code), done));
    queue = done.catch(() => {});
    return done;
  }

  async function runNow(code, itself) {
    await readiness;
    running = itself;
    showRunning(true);
    const began = performance.now();
    const seconds = (digits) => ((performance.now() - began) / 1000).toFixed(digits);
    const ticking = python.inWorker && setInterval(() => {
      say(`Running… ${Math.floor((performance.now() - began) / 1000)} s; Stop (or Esc) ends it.`);
    }, 1000);
    say(python.inWorker ? "Running… Stop (or Esc) ends it." : "Running…");
    if (!python.inWorker) await new Promise((resolve) => setTimeout(resolve, 20));  // let it show
    output.replaceChildren();
    const shown = showing();
    try {
      const answer = await python.ask({run: code}, shown.update);
      clearInterval(ticking);
      running = null;  // nothing more to stop
      if (answer.done !== undefined) {
        const items = JSON.parse(answer.done);
        await shown.done();
        const failed = items.some((item) => item.kind === "error");
        say(failed ? `Stopped by an error after ${seconds(2)} s (below).` : `Ran in ${seconds(2)} s.`,
          failed ? "bad" : "good");
        return items.map(textOf).join("");
      }
      await shown.done();
      return shown.text() + await restart(answer, seconds(1)) + "\n";
    } finally {
      clearInterval(ticking);
      running = null;
      if (!api.error) showRunning(false);
      api.timings.firstRun ??= Math.round(performance.now() - started);
    }
  }

  // After Stop, or when Python broke: a new Python, the editor's text left as it is.
  async function restart(answer, seconds) {
    const why = answer.stopped ? `Stopped after ${seconds} s`
      : `Python stopped working after ${seconds} s (${answer.failed})`;
    const note = block("p", "cr-stopped", why + "; restarting Python…");
    say(note.textContent, answer.stopped ? "" : "bad");
    python.end();
    api.ready = false;
    runButton.textContent = "Run";
    runButton.classList.remove("cr-stop");
    runButton.disabled = true;
    const began = performance.now();
    try {
      await startPython();
    } catch (error) {
      fail(`Python could not restart: ${error}. Copy your code, then reload the page.`);
      note.textContent = why + "; Python could not restart.";
      return note.textContent;
    }
    api.timings.restart = Math.round(performance.now() - began);
    api.inWorker = python.inWorker;
    api.ready = true;
    note.textContent = `${why}; Python restarted (in ${(api.timings.restart / 1000).toFixed(1)} ` +
      "s), your code is still in the editor.";
    say(note.textContent, answer.stopped ? "good" : "bad");
    return note.textContent;
  }

  // Ends the run in progress (Python in a worker only): a promise of true once Python is ready
  // again, of false when nothing was running.
  function stop() {
    if (!running || !python.inWorker) return Promise.resolve(false);
    const stopping = running;
    python.end();
    return stopping.then(() => true, () => true);
  }

  load().catch((error) => {
    fail("Could not load the playground: " + error + ". Reload the page; if it stays, the site " +
      "is missing files (docs/playground/index.md says what it needs).");
    console.error(error);
  });
})();
