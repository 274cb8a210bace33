// Walking the neighbourhood picture of /resource/{name}: following a node swaps in that resource's page
// (fetched from the server, drawn there) and pushes its URL, so Back walks back. Without this script, or
// when a fetch fails, the nodes are the plain links they are in the HTML.
(function () {
  "use strict";

  var RESOURCE = /^\/resource\/[^/?#]+$/;
  var shown = window.location.pathname + window.location.search; // the resource on screen
  var latest = 0; // only the last walk asked for is shown, whichever answer comes first

  function article(doc) {
    return doc.querySelector("article.resource");
  }

  function show(html, focusCentre) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = article(doc);
    var current = article(document);
    if (!fresh || !current) {
      return false;
    }
    current.replaceWith(document.adoptNode(fresh));
    document.title = doc.title;
    if (focusCentre) {
      var heading = fresh.querySelector("h1");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
    }
    return true;
  }

  function walk(url, push) {
    var ticket = ++latest;
    var figure = document.querySelector("figure.neighbourhood");
    if (figure) {
      figure.classList.add("walking");
    }
    return fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (!response.ok || type.indexOf("text/html") !== 0) {
          throw new Error("not a page: " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (ticket !== latest) {
          return;
        }
        if (!show(html, push)) {
          throw new Error("no resource in the page");
        }
        if (push) {
          history.pushState({ walk: true }, "", url);
        }
        shown = url;
      })
      .catch(function () {
        if (ticket === latest) {
          window.location.assign(url); // the server's own page says what went wrong, with its status
        }
      });
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var target = event.target instanceof Element ? event.target : null;
    var link = target && target.closest("figure.neighbourhood a.node-link");
    if (!link) {
      return;
    }
    var url = new URL(link.getAttribute("href") || link.getAttribute("xlink:href") || "", window.location.href);
    if (url.origin !== window.location.origin || !RESOURCE.test(url.pathname)) {
      return;
    }
    event.preventDefault();
    walk(url.pathname + url.search, true);
  });

  window.addEventListener("popstate", function () {
    var url = window.location.pathname + window.location.search;
    if (RESOURCE.test(window.location.pathname) && url !== shown) {
      walk(url, false); // a change of #fragment alone keeps the page it is on
    }
  });
})();
