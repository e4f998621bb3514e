// The portal's nearest finder: the browser's position fills the hidden `near` field and submits
// the form; without a position the worker chooses a centre by hand (no inline script: CSP).
(function () {
  "use strict";
  var form = document.getElementById("near-form");
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  if (!form || !button) {
    return;
  }
  var near = form.querySelector("input[name=near]");
  var centre = form.querySelector("select[name=centre]");
  function denied() {
    status.textContent = button.getAttribute("data-denied");
    if (centre) {
      centre.focus();
    }
  }
  if (!("geolocation" in navigator)) {
    button.disabled = true;
    denied();
    return;
  }
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(
      function (position) {
        near.value = position.coords.latitude.toFixed(6) + "," + position.coords.longitude.toFixed(6);
        if (centre) {
          centre.value = "";
        }
        form.submit();
      },
      denied,
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 }
    );
  });
  if (centre) {
    centre.addEventListener("change", function () {
      near.value = "";
    });
  }
})();
