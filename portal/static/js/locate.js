/* "Use my location": only with JavaScript and the visitor's consent; the position goes to this site only. */
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  if (!button || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    if (status) { status.textContent = button.getAttribute("data-busy") || ""; }
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = position.coords.latitude.toFixed(5), lon = position.coords.longitude.toFixed(5);
      window.location.href = "/plek?lat=" + lat + "&lon=" + lon;
    }, function () {
      if (status) { status.textContent = button.getAttribute("data-failed") || ""; }
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
  });
}());
