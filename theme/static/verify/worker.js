// The verifier's Web Worker. A classic script declaring one function: page.js puts its source, with
// the vendored libraries' and the core's, into a Blob and starts the Worker from that (a site
// opened from disk cannot start a Worker from a file).
// In:  {type: 'verify', record: repo path, base: absolute URL of the site's files/ or null,
//       files: {repo path: File} or null, sha256?: 'noble' | 'webcrypto'}
// Out: {type: 'progress', fraction, label}, {type: 'step', step}, {type: 'error', message},
//      {type: 'done', report, sha256: which SHA-256 hashed the files, ms: time taken}
function ssjpubWorker(self) {
  'use strict';
  var core = ssjpubCore();

  // The published site: repo path p is at <base>p, and files/index.json lists every path. A path
  // the index does not list is reported missing without asking the server (no 404 in the console).
  function siteReader(base) {
    var listing = null;
    function list() {
      if (!listing) {
        listing = fetch(new URL('index.json', base)).then(function (r) {
          if (!r.ok) return null;
          return r.json().then(function (index) {
            return index && index.files ? Object.keys(index.files).sort() : null;
          });
        }).catch(function () { return null; });
      }
      return listing;
    }
    async function read(path) {
      var paths = await list();
      if (paths && paths.indexOf(path) < 0) return null;
      var url = new URL(path.split('/').map(encodeURIComponent).join('/'), base);
      var r = await fetch(url);
      if (r.status === 404) return null;
      if (!r.ok) throw new Error('读取 ' + path + ' 失败：HTTP ' + r.status);
      return new Uint8Array(await r.arrayBuffer());
    }
    return {read: read, list: list};
  }

  // Files the person chose from their own disk, already mapped to repo paths by page.js.
  function fileReader(files) {
    var paths = Object.keys(files).sort();
    return {
      read: async function (path) {
        var f = Object.prototype.hasOwnProperty.call(files, path) ? files[path] : null;
        return f ? new Uint8Array(await f.arrayBuffer()) : null;
      },
      list: async function () { return paths.slice(); },
    };
  }

  // Which SHA-256 hashes whole files: the core uses WebCrypto where the browser offers it (a secure
  // context), else the vendored @noble/hashes. The page names it in the summary.
  function sha256Used(asked) {
    if (asked) return asked;
    return self.crypto && self.crypto.subtle ? 'webcrypto' : 'noble';
  }

  self.onmessage = async function (event) {
    var m = event.data || {};
    if (m.type !== 'verify') return;
    try {
      var reader = m.files ? fileReader(m.files) : siteReader(m.base);
      var options = {
        onStep: function (step) { self.postMessage({type: 'step', step: step}); },
        onProgress: function (fraction, label) {
          self.postMessage({type: 'progress', fraction: fraction, label: label});
        },
      };
      if (m.sha256) options.sha256 = m.sha256;
      var started = Date.now();
      var report = await core.verifyRecord(m.record, reader, options);
      self.postMessage({type: 'done', report: report, sha256: sha256Used(m.sha256),
                        ms: Date.now() - started});
    } catch (e) {
      self.postMessage({type: 'error', message: String((e && e.message) || e)});
    }
  };
}
