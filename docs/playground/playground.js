// The playground: chainrule's own wheel running in Pyodide (CPython compiled to WebAssembly),
// its drawings laid out by Graphviz compiled to WebAssembly. Every file comes from this site
// (files.json lists them, docs/hooks.py puts them there); nothing is fetched from elsewhere.
// A classic script (not a module), so that it runs, and says what to do, from a file: address too.
//
// window.chainrule: `ready` (true once Python and chainrule are loaded), `run(code)` (a promise
// of the text the code printed, explanations included; drawings, math and step-through pages
// appear in the page), `code` (the editor's text, to read or set), `timings` (ms since the
// page started: `ready`, `firstRun`), `loaded` (bytes fetched), `error` (why loading failed,
// or null).

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
  let runner = null;  // the Python module chainrule_playground (docs/playground/runner.py)
  let queue = Promise.resolve();  // runs, one after the other

  const api = {ready: false, run, timings: {}, loaded: 0, error: null, python: null};
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
    const run = () => runButton.click();
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
    runButton.addEventListener("click", () => { run(editor.get()); });
  }

  // --- loading: every file fetched at once, the bytes counted as they arrive

  async function fetchAll(files) {
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    let arrived = 0;
    const show = () => say(`Loading Python ${api.python} in WebAssembly, Graphviz and chainrule: ` +
      `${mb(arrived)} of ${mb(total)}`);
    show();
    return Promise.all(files.map(async (file) => {
      const response = await fetch(file.name);
      if (!response.ok) throw new Error(`${file.name}: HTTP ${response.status}`);
      const reader = response.body.getReader();
      const chunks = [];
      for (;;) {
        const {done, value} = await reader.read();
        if (done) break;
        chunks.push(value);
        arrived += value.length;
        show();
      }
      const bytes = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
      let at = 0;
      for (const chunk of chunks) { bytes.set(chunk, at); at += chunk.length; }
      api.loaded = arrived;
      return [file, bytes];
    }));
  }

  function addScript(bytes) {  // a script of this site, already fetched
    const script = document.createElement("script");
    script.textContent = new TextDecoder().decode(bytes);
    document.head.append(script);
  }

  // Pyodide fetches its own files; those already here are handed over, not fetched twice.
  function serving(have) {
    const fetchFromNetwork = window.fetch;
    window.fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input), location.href).href;
      if (have.has(url)) {
        const type = url.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
        return Promise.resolve(new Response(have.get(url), {headers: {"Content-Type": type}}));
      }
      return fetchFromNetwork(input, init);
    };
    return () => { window.fetch = fetchFromNetwork; };
  }

  // A JavaScript module already fetched, imported from memory (so not fetched again).
  async function importFrom(bytes) {
    const url = URL.createObjectURL(new Blob([bytes], {type: "text/javascript"}));
    try {
      return await import(url);
    } finally {
      URL.revokeObjectURL(url);
    }
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
    const files = await fetchAll(manifest.files);
    const have = new Map(files.map(([f, bytes]) => [new URL(f.name, location.href).href, bytes]));
    const named = (what) => files.filter(([f]) => f.what === what).map(([, bytes]) => bytes);
    const file = (name) => files.find(([f]) => f.name === name)[1];
    addScript(named("graphviz")[0]);  // defines window.Viz: Graphviz in WebAssembly
    addScript(named("render")[0]);  // window.chainruleGraph: viz.wasm's drawing script
    say(`Starting Python ${manifest.python} (Pyodide ${manifest.pyodide})…`);
    const stopServing = serving(have);
    let pyodide;
    try {
      const {loadPyodide} = await importFrom(file("pyodide/pyodide.mjs"));
      const createPyodideModule = (await importFrom(file("pyodide/pyodide.asm.mjs"))).default;
      pyodide = await loadPyodide({
        indexURL: new URL("pyodide/", location.href).href,
        createPyodideModule,
      });
    } finally {
      stopServing();
    }
    say("Installing chainrule…");
    const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
    for (const wheel of named("wheel")) {
      pyodide.unpackArchive(wheel, "wheel", {extractDir: site});
    }
    pyodide.FS.writeFile(site + "/chainrule_playground.py", named("runner")[0]);
    runner = pyodide.pyimport("chainrule_playground");
    const version = pyodide.runPython("import chainrule; chainrule.__version__");
    api.timings.ready = Math.round(performance.now() - started);
    say(`Ready: chainrule ${version} on Python ${manifest.python} (Pyodide ${manifest.pyodide}), ` +
      `${mb(api.loaded)} loaded in ${(api.timings.ready / 1000).toFixed(1)} s, from this site ` +
      "alone. Press Run (or Ctrl+Enter).", "good");
    runButton.disabled = false;
    api.ready = true;
    becomeReady();
  }

  // --- running: the runner's items shown in order; the promise's value is the printed text

  function block(tag, className, text) {
    const element = document.createElement(tag);
    element.className = className;
    if (text !== undefined) element.textContent = text;
    output.append(element);
    return element;
  }

  async function showItem(item) {
    if (item.kind === "text") {
      block("pre", "cr-text", item.text);
    } else if (item.kind === "error") {
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
    return item.kind === "page" || item.kind === "drawing" ? "" : item.text;
  }

  function run(code) {
    const done = queue.then(async () => {
      await readiness;
      runButton.disabled = true;
      say("Running…");
      await new Promise((resolve) => setTimeout(resolve, 20));  // let "Running…" show
      const began = performance.now();
      output.replaceChildren();
      let text = "";
      try {
        const items = JSON.parse(runner.run(String(code)));
        for (const item of items) text += await showItem(item);
        const seconds = ((performance.now() - began) / 1000).toFixed(2);
        const failed = items.some((item) => item.kind === "error");
        say(failed ? `Stopped by an error after ${seconds} s (below).` : `Ran in ${seconds} s.`,
          failed ? "bad" : "good");
      } finally {
        runButton.disabled = false;
        api.timings.firstRun ??= Math.round(performance.now() - started);
      }
      return text;
    });
    queue = done.catch(() => {});
    return done;
  }

  load().catch((error) => {
    fail("Could not load the playground: " + error + ". Reload the page; if it stays, the site " +
      "is missing files (docs/playground/index.md says what it needs).");
    console.error(error);
  });
})();
