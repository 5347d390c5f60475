/* The GRU Book page script: the "Live Code" button (Thebe 0.9 from this site's _static folder).

   Adapted from sphinx-thebe 0.3.1's sphinx-thebe.js (BSD-3-Clause, Executable Books): the same DOM
   changes and status messages, but it loads Thebe from this site's _static folder and passes the
   page's useBinder and requestKernel options to Thebe 0.9's bootstrap, which otherwise always asks
   Binder and starts no kernel. Added to every page by grubook_site/assets.py. */
(function () {
  "use strict";
  var here = document.currentScript ? document.currentScript.src : "";
  var THEBE_JS_URL = new URL("thebe/index.js", here || window.location.href).href;
  var SELECTOR = ".thebe,.cell", SELECTOR_INPUT = "pre", SELECTOR_OUTPUT = ".output, .cell_output";

  function kernelName() {
    var cfg = window.thebe && window.thebe.getPageConfig ? window.thebe.getPageConfig() : {};
    return (cfg.kernelOptions && cfg.kernelOptions.kernelName) || "python3";
  }

  function configureThebe() {
    if (document.querySelectorAll("div.thebe-cell").length > 0) return;
    var useBinder = window.thebe.getPageConfig().useBinder !== false;
    document.querySelectorAll(".thebe-launch-button").forEach(function (button) {
      var spinner = document.createElement("div");
      spinner.className = "spinner";
      ["rect1", "rect2", "rect3", "rect4"].forEach(function (name) {
        var bar = document.createElement("div");
        bar.className = name;
        spinner.appendChild(bar);
      });
      var loading = document.createElement("span");
      loading.className = "loading-text";
      button.replaceChildren(spinner, loading);
    });
    var thebeStatus;
    window.thebe.on("status", function (evt, data) {
      var button = document.querySelector(".thebe-launch-button");
      if (button) {
        button.classList.remove("thebe-status-" + thebeStatus);
        button.classList.add("thebe-status-" + data.status);
        var text = button.querySelector(".loading-text");
        if (text) {
          var msg = document.createElement("span");
          msg.className = "launch_msg";
          msg.textContent = useBinder ? "Launching from mybinder.org: " : "Connecting to Jupyter: ";
          var status = document.createElement("span");
          status.className = "status";
          status.textContent = String(data.status);  // text, never markup
          text.replaceChildren(msg, status);
        }
      }
      thebeStatus = data.status;
      if (data.status === "ready") {
        document.querySelectorAll(".thebe-init, .tag_thebe-init").forEach(function (cell) {
          var run = cell.querySelector(".thebe-run-button, .thebelab-run-button");
          if (run) run.click();
        });
      }
    });
  }

  function modifyDOMForThebe() {
    var language = kernelName().indexOf("python") > -1 ? "python" : kernelName();
    document.querySelectorAll(SELECTOR).forEach(function (codeCell, index) {
      codeCell.id = "codecell" + index;
      var input = codeCell.querySelector(SELECTOR_INPUT);
      var output = codeCell.querySelector(SELECTOR_OUTPUT);
      if (input) {
        input.setAttribute("data-language", language);
        input.setAttribute("data-executable", "true");
        if (output) {
          output.setAttribute("data-output", "");
          input.insertAdjacentElement("afterend", output);
        }
      }
      codeCell.querySelectorAll("button.copybtn").forEach(function (el) { el.remove(); });
    });
  }

  function start() {
    configureThebe();
    modifyDOMForThebe();
    var cfg = window.thebe.getPageConfig();
    // Thebe 0.9 lets these two arguments override the page's options (and starts no kernel
    // unless requestKernel is passed here), so pass the page's own values.
    return window.thebe.bootstrap({
      useBinder: cfg.useBinder !== false,
      requestKernel: cfg.requestKernel !== false,
    });
  }

  window.initThebe = function () {
    if (window.thebe && window.thebe.bootstrap) return start();
    var button = document.querySelector(".thebe-launch-button");
    if (button) button.innerText = "Loading Thebe...";
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("thebe/thebe.css", here || window.location.href).href;
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = THEBE_JS_URL;
    script.addEventListener("load", start);
    document.head.appendChild(script);
  };
})();

/* Keyboard access to wide tables. The site CSS lets a wide table scroll sideways in its own box (on
   a phone); a box that scrolls must be reachable by keyboard (axe: scrollable-region-focusable), so
   each table that scrolls gets tabindex 0 and a name, as the theme does for code blocks and cell
   outputs, on load and after every resize. */
(function () {
  "use strict";
  function update() {
    document.querySelectorAll(".bd-article table").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.tabIndex = 0;
        table.dataset.grubookTabStop = "";
        if (!table.hasAttribute("aria-label") && !table.querySelector("caption")) {
          table.setAttribute("aria-label", "table (scrolls sideways)");
        }
      } else if (!scrolls && table.dataset.grubookTabStop !== undefined) {
        table.removeAttribute("tabindex");
        delete table.dataset.grubookTabStop;
      }
    });
  }
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 200);
  });
  if (document.readyState === "complete") update();
  else window.addEventListener("load", update);
})();
