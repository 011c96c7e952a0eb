"use strict";
(function () {
  const hall = document.getElementById("report-hall"), kind = document.getElementById("report-kind");
  const date = document.getElementById("report-date");
  function update() {
    const base = "/reports/" + encodeURIComponent(hall.value) + "/" + kind.value + "/" + date.value;
    document.getElementById("link-html").href = base + ".html";
    document.getElementById("link-pdf").href = base + ".pdf";
    document.getElementById("link-scores").href = base + ".scores.csv";
    document.getElementById("link-events").href = base + ".events.csv";
  }
  for (const input of [hall, kind, date]) if (input) input.addEventListener("change", update);
  if (hall) update();
})();
