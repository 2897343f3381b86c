// Draws every server-built Plotly figure on the page: <div data-chart="ID"> holds the place,
// <script type="application/json" id="ID-data"> the figure and its config (metrics/charts.py).
(function () {
  "use strict";
  // An internal tool's charts never leave the app: whatever a figure's config says, no
  // "Share chart" upload to Plotly's cloud, no server to send to, no Plotly logo.
  var SAFE = {
    displaylogo: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    showLink: false,
    plotlyServerURL: "",
  };
  var NEVER = ["sendChartToCloud", "sendDataToCloud", "editInChartStudio", "select2d", "lasso2d"];

  function configFor(figure) {
    var config = Object.assign({ responsive: true }, figure.config || {}, SAFE);
    config.modeBarButtonsToRemove = (config.modeBarButtonsToRemove || []).concat(NEVER);
    return config;
  }

  // A chart slide of the whole-deck page prints at the page's width (A4 landscape less its
  // margins, 277 x 150 mm at 96 px/in): a static SVG copy, drawn once, that print.css shows
  // on paper instead of the interactive chart, which keeps its screen width.
  var PRINT_WIDTH = 1047;
  var PRINT_HEIGHT = 567;

  function printCopy(el) {
    return Plotly.toImage(el, { format: "svg", width: PRINT_WIDTH, height: PRINT_HEIGHT })
      .then(function (url) {
        var markup = decodeURIComponent(url.slice(url.indexOf(",") + 1));
        var svg = new DOMParser().parseFromString(markup, "image/svg+xml").documentElement;
        svg.setAttribute("viewBox", "0 0 " + PRINT_WIDTH + " " + PRINT_HEIGHT);
        svg.removeAttribute("width");
        svg.removeAttribute("height");
        svg.setAttribute("class", "chart-print");
        svg.setAttribute("aria-hidden", "true");
        svg.style.display = "none";
        el.insertAdjacentElement("afterend", document.importNode(svg, true));
        el.dataset.printReady = "true";
        document.dispatchEvent(new CustomEvent("okr:chart-print-ready"));
      });
  }

  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart + "-data");
      if (!source || typeof Plotly === "undefined") { return; }
      var figure = JSON.parse(source.textContent);
      var drawn = Plotly.newPlot(el, figure.data, figure.layout, configFor(figure));
      if (el.closest(".chart-slide")) {
        drawn.then(function () { return printCopy(el); });
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
