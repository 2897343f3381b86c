// The whole-deck page prints one slide per page. A slide whose content is taller than the
// page box (A4 landscape less margins: 277 x 190 mm) is scaled down to fit rather than
// spilling onto a second page: the slides are measured once under the print styles (the
// print stylesheet switched on for a moment, within one task, so nothing is painted), and
// each tall slide gets a --print-fit factor that print.css applies as its zoom.
(function () {
  "use strict";
  var MAX_ROUNDS = 4;

  function printSheet() {
    return document.querySelector('link[rel="stylesheet"][media="print"]');
  }

  function fit() {
    var sheet = printSheet();
    var slides = document.querySelectorAll(".print-deck .slide");
    if (!sheet || !slides.length) { return; }
    var root = document.documentElement;
    sheet.media = "all";
    root.classList.add("print-measure");
    var probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;height:190mm;width:277mm";
    document.body.appendChild(probe);
    var limit = probe.offsetHeight - 4;  // a few pixels of slack for rounding
    probe.remove();
    slides.forEach(function (slide) {
      slide.style.removeProperty("--print-fit");
      var scale = 1;
      for (var round = 0; round < MAX_ROUNDS; round++) {
        var height = slide.scrollHeight * scale;  // scrollHeight is in the slide's own zoom
        if (height <= limit) { break; }
        scale = Math.max(0.5, scale * limit / height * 0.98);
        slide.style.setProperty("--print-fit", scale.toFixed(3));
      }
      slide.dataset.printFit = scale.toFixed(3);
    });
    root.classList.remove("print-measure");
    sheet.media = "print";
  }

  function schedule() { window.requestAnimationFrame(fit); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", schedule);
  } else {
    schedule();
  }
  // Charts add their print copies when drawn; fonts may load late.
  document.addEventListener("okr:chart-print-ready", schedule);
  window.addEventListener("load", schedule);
  window.addEventListener("beforeprint", fit);
})();
