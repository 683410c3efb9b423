// Python for the playground page: Pyodide (CPython compiled to WebAssembly) with chainrule's
// wheels and the runner (runner.py), in a Web Worker, so that the page stays free while code
// runs and can stop a run by ending the worker (playground.js then starts another). The page
// hands over every file it has fetched: nothing is fetched here, and a new worker loads from
// the page's memory.
//
// Where a worker cannot start, the page runs this same script itself: it then defines
// `window.chainrulePython`, and Python runs on the page's own thread.
//
// python(post) answers messages with post(...):
//   {load: {files: [{name, what, bytes}], base}}  ->  {loaded: chainrule's version}
//   {run: code}  ->  {update: json} as the code prints and shows (runner.py's Output), then
//                    {done: json}, the run's items (runner.run's value)
//   either  ->  {failed: text}, when Python could not start or stopped working.
// A classic script (no import statement), so that it runs as a worker and on a page alike.

(function () {
  "use strict";

  function python(post) {
    let pyodide = null;
    let runner = null;  // the Python module chainrule_playground (runner.py)

    // Pyodide fetches its own files; the page's copies are handed over instead.
    function serving(have, base) {
      const fetchFromNetwork = globalThis.fetch;
      globalThis.fetch = (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input), base).href;
        if (have.has(url)) {
          const type = url.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
          return Promise.resolve(new Response(have.get(url), {headers: {"Content-Type": type}}));
        }
        return fetchFromNetwork(input, init);
      };
      return () => { globalThis.fetch = fetchFromNetwork; };
    }

    // A JavaScript module the page fetched, imported from memory.
    async function importFrom(bytes) {
      const url = URL.createObjectURL(new Blob([bytes], {type: "text/javascript"}));
      try {
        return await import(url);
      } finally {
        URL.revokeObjectURL(url);
      }
    }

    async function load({files, base}) {
      const have = new Map(files.map((f) => [new URL(f.name, base).href, f.bytes]));
      const file = (name) => files.find((f) => f.name === name).bytes;
      const stopServing = serving(have, base);
      try {
        const {loadPyodide} = await importFrom(file("pyodide/pyodide.mjs"));
        const createPyodideModule = (await importFrom(file("pyodide/pyodide.asm.mjs"))).default;
        pyodide = await loadPyodide({indexURL: new URL("pyodide/", base).href, createPyodideModule});
      } finally {
        stopServing();
      }
      const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
      for (const wheel of files.filter((f) => f.what === "wheel")) {
        pyodide.unpackArchive(wheel.bytes, "wheel", {extractDir: site});
      }
      pyodide.FS.writeFile(site + "/chainrule_playground.py", file("runner.py"));
      runner = pyodide.pyimport("chainrule_playground");
      return pyodide.runPython("import chainrule; chainrule.__version__");
    }

    return async function receive(message) {
      try {
        if (message.load) {
          post({loaded: await load(message.load)});
        } else if (message.run !== undefined) {
          const emit = (update) => { post({update}); };
          post({done: runner.run(String(message.run), emit)});
        }
      } catch (error) {  // Python could not start, or it broke (not the learner's error)
        post({failed: String(error && error.message || error)});
      }
    };
  }

  if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
    const receive = python((message) => self.postMessage(message));
    self.onmessage = (event) => { receive(event.data); };
  } else {
    window.chainrulePython = python;
  }
})();
