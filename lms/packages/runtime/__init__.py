"""The SCORM runtime and the isolated player (issue 16, points 5 and 6).

- ``content``: the content origin (package files, the runtime shim), signed URLs and their
  renewal, its headers.
- ``cmi``: the server's checks of the data model and the time arithmetic (pure).
- ``services``: who may play, what a launch starts from, what a commit stores, new attempts.
- ``queries``: a learner's standing in a course's packages (for completion) and its outline.
- ``views``: the player page and the commit endpoint (app origin), the content routes.

How the pieces talk (see also lms/static/js/scorm-player.js and scorm-shim.js):

    player page (app origin)  --iframe sandbox-->  shim page (content origin)  --iframe-->  SCO
         ^  fetch/beacon + CSRF                      scorm-again API object          finds window.parent.API
         |                                           (all calls answered here,
    commit endpoint  <--postMessage (origin+source checked both ways)--  synchronously)

The SCO finds the API in its parent (the shim) as the spec's discovery walk expects; every
SCORM call is answered synchronously by scorm-again (data model, access rules, error codes); the
shim hands the CMI to the player page on every SetValue, Commit and Finish; the player page saves
it with its CSRF token (fetch with keepalive on commit and finish, a beacon on page close).
"""
