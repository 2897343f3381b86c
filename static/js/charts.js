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

  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart + "-data");
      if (!source || typeof Plotly === "undefined") { return; }
      var figure = JSON.parse(source.textContent);
      Plotly.newPlot(el, figure.data, figure.layout, configFor(figure));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
