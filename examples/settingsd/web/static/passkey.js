// Passkeys on the settings pages. Each form[data-passkey] is hidden until
// this script finds WebAuthn in the browser: it then shows the form and
// hides the sentence (.passkey-off) that stands in for it. Submitting the
// form asks its data-begin route for the options (a POST carrying the
// form's CSRF token), runs navigator.credentials.create ("create") or get
// ("get"), and posts the credential's JSON with the form as usual: the
// server answers with a page. A form with data-conditional also offers
// the passkeys in the autofill of the input with autocomplete "webauthn".
"use strict";
(function () {
  var PKC = window.PublicKeyCredential;
  if (!PKC || !navigator.credentials || !window.fetch || !window.URLSearchParams) return;

  function decode(s) {
    var b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
    return out.buffer;
  }
  function encode(buf) {
    var bytes = new Uint8Array(buf), s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function ids(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: decode(c.id) }); });
  }
  function creationOptions(pk) {
    if (PKC.parseCreationOptionsFromJSON) return PKC.parseCreationOptionsFromJSON(pk);
    return Object.assign({}, pk, { challenge: decode(pk.challenge), user: Object.assign({}, pk.user, { id: decode(pk.user.id) }),
      excludeCredentials: ids(pk.excludeCredentials) });
  }
  function requestOptions(pk) {
    if (PKC.parseRequestOptionsFromJSON) return PKC.parseRequestOptionsFromJSON(pk);
    return Object.assign({}, pk, { challenge: decode(pk.challenge), allowCredentials: ids(pk.allowCredentials) });
  }
  function credentialJSON(cred) {
    if (typeof cred.toJSON === "function") return JSON.stringify(cred.toJSON());
    var r = cred.response, out = { clientDataJSON: encode(r.clientDataJSON) };
    if (r.attestationObject) {
      out.attestationObject = encode(r.attestationObject);
      out.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.authenticatorData = encode(r.authenticatorData);
      out.signature = encode(r.signature);
      if (r.userHandle) out.userHandle = encode(r.userHandle);
    }
    return JSON.stringify({ id: cred.id, rawId: encode(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}, response: out });
  }

  function status(form, text) {
    var el = form.querySelector(".passkey-status");
    if (el) el.textContent = text;
  }

  // begin asks the form's begin route for the options; it resolves to the
  // answer, or rejects after showing the refusal or going where it says.
  function begin(form) {
    var body = new URLSearchParams();
    body.set("csrf", form.elements.csrf.value);
    return fetch(form.dataset.begin, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        return res.json().then(function (answer) {
          if (answer.redirect) {
            window.location.assign(answer.redirect);
            throw new Error("redirected");
          }
          if (!res.ok || !answer.options) {
            status(form, answer.message || "Passkeys cannot be used right now. Reload the page and try again.");
            throw new Error("refused");
          }
          return answer;
        });
      });
  }

  // send posts the credential with the form, as an ordinary submission.
  function send(form, answer, cred) {
    form.elements.response.value = credentialJSON(cred);
    if (form.elements.ceremony) form.elements.ceremony.value = answer.ceremony_id || "";
    form.submit();
  }

  var conditional = null; // the AbortController of the autofill request

  function run(form) {
    if (conditional) conditional.abort();
    status(form, "Follow your browser's prompt to use your passkey.");
    return begin(form).then(function (answer) {
      var pk = answer.options.publicKey;
      var ask = form.dataset.passkey === "create"
        ? navigator.credentials.create({ publicKey: creationOptions(pk) })
        : navigator.credentials.get({ publicKey: requestOptions(pk) });
      return ask.then(function (cred) {
        if (!cred) throw new Error("no credential");
        status(form, "Checking your passkey…");
        send(form, answer, cred);
      }, function () {
        status(form, "The passkey was not used. Try again, or use another way.");
      });
    }).catch(function () {});
  }

  function offerInAutofill(form) {
    if (!PKC.isConditionalMediationAvailable || !window.AbortController) return;
    PKC.isConditionalMediationAvailable().then(function (ok) {
      if (!ok) return;
      var ctl = new AbortController();
      conditional = ctl;
      begin(form).then(function (answer) {
        return navigator.credentials.get({ publicKey: requestOptions(answer.options.publicKey), mediation: "conditional", signal: ctl.signal })
          .then(function (cred) {
            if (cred && !ctl.signal.aborted) send(form, answer, cred);
          });
      }).catch(function () {});
    }, function () {});
  }

  function setUp() {
    document.querySelectorAll("form[data-passkey]").forEach(function (form) {
      form.hidden = false;
      var off = form.parentNode.querySelector(".passkey-off");
      if (off) off.hidden = true;
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        run(form);
      });
      if (form.hasAttribute("data-conditional")) offerInAutofill(form);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
