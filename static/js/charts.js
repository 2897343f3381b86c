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

  // The legend sits under the plot at a fraction of the plot's height, the x axis's labels
  // and title at a fixed distance in pixels: on a narrow screen (labels turned, the plot
  // shorter) the title would be drawn over the legend. Measured as drawn, the legend moves
  // down until it clears them (the margin grows to fit it), at any width.
  var LEGEND_GAP = 6;

  function lowestAxisText(el) {
    var lowest = null;
    el.querySelectorAll(".xtitle, .xtick text").forEach(function (text) {
      var box = text.getBoundingClientRect();
      if (box.height && (lowest === null || box.bottom > lowest)) { lowest = box.bottom; }
    });
    return lowest;
  }

  function clearLegend(el, tries) {
    var legend = el.querySelector(".legend");
    var lowest = lowestAxisText(el);
    var layout = el._fullLayout;
    if (!legend || lowest === null || !layout || !layout.showlegend || tries <= 0) {
      return Promise.resolve();
    }
    var top = legend.getBoundingClientRect().top;
    if (top >= lowest + LEGEND_GAP - 0.5) { return Promise.resolve(); }
    var shift = (lowest + LEGEND_GAP - top) / layout._size.h;
    return Plotly.relayout(el, { "legend.y": layout.legend.y - shift }).then(function () {
      return clearLegend(el, tries - 1);
    });
  }

  function laidOut(el) {
    return clearLegend(el, 4).then(function () { el.dataset.laidOut = "true"; });
  }

  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart + "-data");
      if (!source || typeof Plotly === "undefined") { return; }
      var figure = JSON.parse(source.textContent);
      var drawn = Plotly.newPlot(el, figure.data, figure.layout, configFor(figure)).then(
        function () { return laidOut(el); }
      );
      var resizing = null;
      window.addEventListener("resize", function () {
        // After plotly's own responsive redraw: measure again at the new width.
        clearTimeout(resizing);
        resizing = setTimeout(function () {
          Plotly.relayout(el, { "legend.y": figure.layout.legend.y }).then(function () {
            return laidOut(el);
          });
        }, 250);
      });
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
