// The verifier in the page: a task page's button (#verifier) and the /verify/ page's drop zone
// (#verifier-drop). A classic script (a site opened from disk loads no modules). Nothing heavy is
// loaded with the page: on the first click it loads the vendored libraries, the core and the
// worker with <script src>, and runs the core in a Web Worker built from a Blob of their source,
// so a long draw does not freeze the page. Every file comes from this site or from the person's
// own disk; nothing else is contacted.
(function () {
  'use strict';

  // The verifier's files (the core's list: core.js), and the one function each declares.
  var SCRIPTS = ['vendor/noble.js', 'vendor/yaml.js', 'core-encode.js', 'core-snapshot.js', 'core-inputs.js',
                 'core-draw.js', 'core.js', 'worker.js'];
  var FUNCTIONS = ['ssjpubNoble', 'ssjpubYaml', 'ssjpubEncode', 'ssjpubSnapshot', 'ssjpubInputs', 'ssjpubDraw',
                   'ssjpubCore', 'ssjpubWorker'];
  var BUTTON = '在浏览器中重新计算这次抽取';
  var RECORD = /^plans\/[^\/]+\/[^\/]+\/(draws|failures)\/[^\/]+\.json$/;
  var FROM_DISK = location.protocol === 'file:';
  var STATUS = {
    ok: {mark: '✓', word: '一致'},
    fail: {mark: '✗', word: '不一致'},
    skip: {mark: '—', word: '未核对'},
  };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'hidden') e.hidden = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function shown(value) {
    var s = typeof value === 'string' ? value : JSON.stringify(value);
    if (s === undefined) s = String(value);
    return s.length > 2000 ? s.slice(0, 2000) + '……（共 ' + s.length + ' 个字符）' : s;
  }

  // --- loading the verifier and starting its worker, once per page --------------------------

  var loaded = null;
  function load(root) {
    if (!loaded) {
      loaded = Promise.all(SCRIPTS.map(function (name) {
        var src = new URL(root + 'theme/verify/' + name, location.href).href;
        return new Promise(function (resolve, reject) {
          var s = el('script', {src: src});
          s.onload = resolve;
          s.onerror = function () { reject(new Error('无法加载验证程序的文件 ' + name)); };
          document.head.appendChild(s);
        });
      })).then(function () {
        // The worker runs the very functions just loaded: their source, then a bootstrap.
        var source = FUNCTIONS.map(function (name) { return window[name].toString(); });
        source.push('ssjpubWorker(self);');
        var url = URL.createObjectURL(new Blob([source.join('\n;\n')], {type: 'text/javascript'}));
        return new Worker(url);
      });
      loaded.catch(function () { loaded = null; });  // a later click tries again
    }
    return loaded;
  }

  // One verification in the worker; the worker does one at a time, callers run them in turn.
  function verify(worker, message, view) {
    return new Promise(function (resolve, reject) {
      worker.onmessage = function (event) {
        var m = event.data;
        if (m.type === 'progress') view.progress(m.fraction, m.label);
        else if (m.type === 'step') view.step(m.step);
        else if (m.type === 'done') resolve(m);
        else if (m.type === 'error') reject(new Error(m.message));
      };
      worker.onerror = function (event) {
        event.preventDefault();
        reject(new Error(event.message || '验证程序出错'));
      };
      worker.postMessage(message);
    });
  }

  // --- the result of one record: progress, steps as they arrive, what was not checked, summary --

  // folded: the steps go in a <details> that opens by itself only on a difference (the /verify/
  // page's list of records); otherwise they are shown.
  function View(parent, folded) {
    this.bar = el('progress', {max: '1', value: '0', 'aria-label': '重新计算的进度'});
    this.label = el('span', {'class': 'verifier-label'});
    this.box = el('div', {'class': 'verifier-progress', hidden: true}, [this.bar, this.label]);
    this.steps = el('ol', {'class': 'verifier-steps'});
    this.unchecked = el('div', {'class': 'verifier-unchecked'});
    this.summary = el('p', {'class': 'verifier-summary', role: 'status', 'aria-live': 'polite'});
    this.details = folded ? el('details', {}, [el('summary', {text: '逐步的结果'}), this.steps, this.unchecked]) : null;
    this.root = el('div', {'class': 'verifier-run'},
                   [this.summary, this.box].concat(this.details ? [this.details] : [this.steps, this.unchecked]));
    parent.appendChild(this.root);
  }

  View.prototype.start = function () {
    this.root.setAttribute('data-state', 'running');
    this.box.hidden = false;
    this.bar.value = 0;
    this.label.textContent = '正在加载验证程序……';
    this.steps.textContent = '';
    this.unchecked.textContent = '';
    this.summary.textContent = '正在重新计算……';
  };

  View.prototype.progress = function (fraction, label) {
    this.bar.value = Math.max(0, Math.min(1, Number(fraction) || 0));
    if (label) this.label.textContent = label;
  };

  View.prototype.step = function (s) {
    var st = STATUS[s.status] || STATUS.skip;
    var li = el('li', {'class': 'step step-' + (STATUS[s.status] ? s.status : 'skip'),
                       'data-step': s.id, 'data-status': s.status}, [
      el('span', {'class': 'step-mark', 'aria-hidden': 'true', text: st.mark}),
      el('span', {'class': 'step-word', text: st.word}),
      el('strong', {'class': 'step-title', text: s.title || s.id}),
    ]);
    if (s.detail) li.appendChild(el('span', {'class': 'step-detail', text: s.detail}));
    if (s.status === 'fail' && (s.where || s.expected !== undefined || s.actual !== undefined)) {
      var rows = [];
      if (s.where) rows.push(['位置', s.where]);
      if (s.expected !== undefined) rows.push(['记录中', shown(s.expected)]);
      if (s.actual !== undefined) rows.push(['重新计算', shown(s.actual)]);
      li.appendChild(el('dl', {'class': 'step-diff'}, rows.map(function (r) {
        return el('div', {}, [el('dt', {text: r[0]}), el('dd', {}, [el('code', {text: r[1]})])]);
      })));
    }
    this.steps.appendChild(li);
  };

  View.prototype.done = function (m) {
    var report = m.report, self = this;
    this.box.hidden = true;
    this.steps.textContent = '';  // the report's list is the whole truth, in order
    report.steps.forEach(function (s) { self.step(s); });
    if (report.unchecked && report.unchecked.length) {
      this.unchecked.appendChild(el('p', {text: '这次重新计算没有核对：'}));
      this.unchecked.appendChild(el('ul', {}, report.unchecked.map(function (u) {
        return el('li', {text: u});
      })));
    }
    var count = function (status) { return report.steps.filter(function (s) { return s.status === status; }).length; };
    var ok = count('ok'), fail = count('fail'), skip = count('skip');
    var text;
    if (fail) {
      var first = report.steps.filter(function (s) { return s.status === 'fail'; })[0];
      text = '✗ 记录与重新计算的结果不一致：' + fail + ' 步不一致，第一处在“' + (first.title || first.id) + '”' +
        (first.where ? '（' + first.where + '）' : '') + '。';
    } else if (skip) {
      text = '重新计算的 ' + ok + ' 步与记录一致（✓）；' + skip + ' 步没有重新计算（— 未核对），不算通过。';
    } else {
      text = '✓ 全部 ' + ok + ' 步重新计算的结果与记录一致。';
    }
    text += ' 用时 ' + (m.ms / 1000).toFixed(1) + ' 秒；' + (m.sha256 === 'webcrypto'
      ? '文件的 SHA-256 由浏览器自带的 WebCrypto 计算。'
      : 'SHA-256 由本站随附的 @noble/hashes 计算（浏览器在这个网址下不提供 WebCrypto）。');
    this.summary.textContent = text;
    if (this.details && fail) this.details.open = true;
    this.root.setAttribute('data-state', fail ? 'fail' : skip ? 'partial' : 'ok');
    this.root.setAttribute('data-ms', String(m.ms));
  };

  View.prototype.error = function (e) {
    this.box.hidden = true;
    this.summary.textContent = '无法完成重新计算：' + e.message;
    this.root.setAttribute('data-state', 'error');
  };

  // --- files from the person's disk, mapped to repository paths --------------------------------

  // entries: [{path: 'chosen-folder/…' or a bare name, file}] → {repo path: File}. A site copy
  // holds the repository's files under files/, a clone at its root (a site copy also has pages at
  // results/, so the layout is the one where records are); the chosen folder's own name comes
  // first and is dropped. Loose files (a record and its inputs, chosen one by one) get the paths
  // the records name.
  async function repoFiles(entries) {
    var paths = entries.map(function (e) { return e.path.replace(/^\/+/, ''); });
    var first = paths.map(function (p) { return p.indexOf('/') > 0 ? p.split('/')[0] : null; });
    if (first[0] && first.every(function (f) { return f === first[0]; }) &&
        ['plans', 'results', 'files'].indexOf(first[0]) < 0) {
      paths = paths.map(function (p) { return p.slice(first[0].length + 1); });
    }
    // The shortest prefix under which a record lies: '' (a clone), 'files/' (a site copy), or a
    // folder further up (the parent of either).
    var prefix = null;
    paths.forEach(function (p) {
      var m = /^(.*\/)?plans\/[^\/]+\/[^\/]+\/(draws|failures)\/[^\/]+\.json$/.exec(p);
      var found = m ? m[1] || '' : null;
      if (found !== null && (prefix === null || found.length < prefix.length)) prefix = found;
    });
    if (prefix === null) return looseFiles(entries);
    var files = {};
    paths.forEach(function (p, i) {
      var rest = p.slice(prefix.length);
      if (p.slice(0, prefix.length) === prefix && /^(plans|results)\//.test(rest)) files[rest] = entries[i].file;
    });
    return files;
  }

  async function looseFiles(entries) {
    var files = {}, wanted = {};
    var byName = {};
    entries.forEach(function (e) { (byName[e.file.name] = byName[e.file.name] || []).push(e.file); });
    for (var i = 0; i < entries.length; i++) {
      var f = entries[i].file;
      if (!/\.json$/.test(f.name)) continue;
      var r = null;
      try { r = JSON.parse(await f.text()); } catch (e) { continue; }
      if (!r || typeof r.algorithm !== 'string' || !/^ssjpub-draw\//.test(r.algorithm)) continue;
      var dir = 'plans/' + r.agency + '/' + r.year + '/';
      files[dir + (r.outcome === 'failed' ? 'failures/' : 'draws/') + r.task + '.json'] = f;
      [r.population && r.population.file, r.randomness && r.randomness.file, dir + 'plan.yaml',
       'plans/' + r.agency + '/inspectors.yaml', 'plans/' + r.agency + '/agency.yaml'].forEach(function (p) {
        if (typeof p === 'string') wanted[p] = true;
      });
    }
    Object.keys(wanted).forEach(function (p) {
      var same = byName[p.split('/').pop()];
      if (same && same.length === 1 && !files[p]) files[p] = same[0];
    });
    return files;
  }

  function chosen(input) {
    return Array.prototype.map.call(input.files, function (f) {
      return {path: f.webkitRelativePath || f.name, file: f};
    });
  }

  // A drop: files and whole folders (walked through their entries; the folder's name comes first).
  async function dropped(dataTransfer) {
    var out = [];
    var items = Array.prototype.slice.call(dataTransfer.items || []);
    var roots = items.map(function (i) { return i.webkitGetAsEntry && i.webkitGetAsEntry(); });
    if (!roots.length || roots.some(function (r) { return !r; })) {
      return Array.prototype.map.call(dataTransfer.files, function (f) { return {path: f.name, file: f}; });
    }
    async function walk(entry, path) {
      if (entry.isFile) {
        var file = await new Promise(function (ok, fail) { entry.file(ok, fail); });
        out.push({path: path + entry.name, file: file});
        return;
      }
      var reader = entry.createReader();
      for (;;) {
        var batch = await new Promise(function (ok, fail) { reader.readEntries(ok, fail); });
        if (!batch.length) break;
        for (var i = 0; i < batch.length; i++) await walk(batch[i], path + entry.name + '/');
      }
    }
    for (var i = 0; i < roots.length; i++) await walk(roots[i], '');
    return out;
  }

  function dropZone(zone, onEntries) {
    zone.addEventListener('dragover', function (e) {
      e.preventDefault();
      zone.classList.add('verifier-dragging');
    });
    zone.addEventListener('dragleave', function () { zone.classList.remove('verifier-dragging'); });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      zone.classList.remove('verifier-dragging');
      dropped(e.dataTransfer).then(onEntries);
    });
  }

  function picker(text, directory) {
    var input = el('input', {type: 'file', 'class': 'verifier-input'});
    if (directory) { input.webkitdirectory = true; input.setAttribute('webkitdirectory', ''); }
    else input.multiple = true;
    return {input: input, label: el('label', {'class': 'verifier-pick'}, [el('span', {text: text}), input])};
  }

  // --- SHA-256 of a local file, for the comparison with the published one -------------------

  async function sha256hex(file) {
    var bytes = new Uint8Array(await file.arrayBuffer());
    var digest = window.crypto && window.crypto.subtle
      ? new Uint8Array(await window.crypto.subtle.digest('SHA-256', bytes))
      : ssjpubNoble().sha256(bytes);
    return Array.prototype.map.call(digest, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  // --- a task page ------------------------------------------------------------------------------

  function taskPage(section) {
    var ui = section.querySelector('.verifier-ui');
    if (!ui) return;
    var record = section.getAttribute('data-record');
    var root = section.getAttribute('data-root') || '';
    var files = null;
    var button = el('button', {type: 'button', 'class': 'verifier-button', text: BUTTON});
    var pick = null;
    if (FROM_DISK) {
      // On disk the page may not read the site's other files itself: the person hands them over.
      pick = picker('选择下载的网站文件夹', true);
      ui.appendChild(el('p', {'class': 'verifier-disk', text: '这个网页是从本地磁盘打开的，浏览器不允许网页自己读取其他文件：' +
        '请选择下载的整个网站文件夹（或把它拖放到这里），本页只读取其中的抽取记录和它的输入文件。'}));
      ui.appendChild(el('p', {}, [pick.label]));
    }
    ui.appendChild(button);
    var view = new View(ui);
    ui.hidden = false;

    async function run() {
      button.disabled = true;
      view.start();
      try {
        if (FROM_DISK && !files[record]) {
          throw new Error('所选文件夹里没有这次抽取的记录 ' + record + '：请选择下载的整个网站文件夹（其中有 files 文件夹），或数据仓库的克隆。');
        }
        var worker = await load(root);
        view.label.textContent = '正在重新计算……';
        var m = await verify(worker, {type: 'verify', record: record, files: files,
                                      base: files ? null : new URL(root + 'files/', location.href).href}, view);
        view.done(m);
      } catch (e) {
        view.error(e);
      } finally {
        button.disabled = false;
      }
    }

    function use(entries) {
      repoFiles(entries).then(function (f) { files = f; run(); });
    }

    button.addEventListener('click', function () {
      if (FROM_DISK && !files) pick.input.click();
      else run();
    });
    if (FROM_DISK) {
      pick.input.addEventListener('change', function () { if (pick.input.files.length) use(chosen(pick.input)); });
      dropZone(ui, use);
    }
  }

  // --- the /verify/ page: any records from the person's disk, and their files vs the site's ----

  function dropPage(section) {
    var ui = section.querySelector('.verifier-ui');
    if (!ui) return;
    var root = section.getAttribute('data-root') || '';
    var folder = picker('选择文件夹', true), loose = picker('选择文件', false);
    var summary = el('p', {'class': 'verifier-overall', role: 'status', 'aria-live': 'polite'});
    var list = el('ol', {'class': 'verifier-records'});
    var compare = el('div', {'class': 'verifier-compare'});
    ui.appendChild(el('p', {'class': 'verifier-zone', text: '把下载的网站文件夹、数据仓库的克隆，或者一份抽取记录连同它的输入文件拖放到这里，或者：'}));
    ui.appendChild(el('p', {'class': 'verifier-picks'}, [folder.label, loose.label]));
    ui.appendChild(summary);
    ui.appendChild(list);
    ui.appendChild(compare);
    ui.classList.add('verifier-dropzone');
    ui.hidden = false;
    var busy = false;

    async function run(entries) {
      if (busy) return;
      busy = true;
      ui.setAttribute('data-state', 'running');
      list.textContent = '';
      compare.textContent = '';
      try {
        var files = await repoFiles(entries);
        var records = Object.keys(files).filter(function (p) { return RECORD.test(p); }).sort();
        if (!records.length) {
          summary.textContent = '所选的 ' + entries.length + ' 个文件里没有抽取记录（plans/…/draws/ 或 failures/ 下的 .json 文件）。';
          ui.setAttribute('data-state', 'done');
          return;
        }
        summary.textContent = '找到 ' + records.length + ' 份抽取记录，正在逐份重新计算……';
        var worker = await load(root);
        // Served over http(s), what the person did not choose is read from this site.
        var base = FROM_DISK ? null : new URL(root + 'files/', location.href).href;
        var bad = 0;
        for (var i = 0; i < records.length; i++) {
          var item = el('li', {'class': 'verifier-record', 'data-record': records[i]},
                        [el('h3', {}, [el('code', {text: records[i]})])]);
          list.appendChild(item);
          var view = new View(item, true);
          view.start();
          try {
            var m = await verify(worker, {type: 'verify', record: records[i], base: base, files: files}, view);
            view.done(m);
            if (!m.report.ok) bad++;
          } catch (e) {
            view.error(e);
            bad++;
          }
        }
        summary.textContent = records.length + ' 份抽取记录中，' + (records.length - bad) + ' 份重新计算的结果与记录一致' +
          (bad ? '，' + bad + ' 份不一致或无法核对（见下）。' : '。');
        if (!FROM_DISK) await compareWithSite(files, root, compare);
      } catch (e) {
        summary.textContent = '无法完成重新计算：' + e.message;
      } finally {
        ui.setAttribute('data-state', 'done');
        busy = false;
      }
    }

    folder.input.addEventListener('change', function () { if (folder.input.files.length) run(chosen(folder.input)); });
    loose.input.addEventListener('change', function () { if (loose.input.files.length) run(chosen(loose.input)); });
    dropZone(ui, run);
  }

  // A draw record's YAML copy (draws/<task>.yaml beside its .json): the site does not serve it, as
  // it is the JSON written again for reading (ssjpub.site.served); a clone has it all the same.
  function isRecordCopy(p, files) {
    return /\/draws\/[^/]+\.yaml$/.test(p) && Object.prototype.hasOwnProperty.call(files, p.slice(0, -5) + '.json');
  }

  // Each local file against index.json: the same bytes as published, different, or not published.
  async function compareWithSite(files, root, box) {
    var r = await fetch(new URL(root + 'files/index.json', location.href));
    if (!r.ok) throw new Error('无法读取本站的文件清单 files/index.json（HTTP ' + r.status + '）');
    var published = (await r.json()).files || {};
    var groups = {same: [], different: [], missing: [], copies: []};
    var paths = Object.keys(files).sort();
    for (var i = 0; i < paths.length; i++) {
      var p = paths[i], entry = published[p];
      if (!entry) groups[isRecordCopy(p, files) ? 'copies' : 'missing'].push(p);
      else groups[(await sha256hex(files[p])) === entry.sha256 ? 'same' : 'different'].push(p);
    }
    box.appendChild(el('h3', {text: '与本站公布的文件比对'}));
    box.appendChild(el('p', {text: paths.length + ' 个文件中，' + groups.same.length + ' 个与本站公布的逐字节相同，' +
      groups.different.length + ' 个不同，' + groups.missing.length + ' 个本站没有公布' +
      (groups.copies.length ? '；另有 ' + groups.copies.length + ' 个抽取记录的 YAML 副本，本站不重复发布（它与同名的 JSON 记录同一内容，两者是否一致由 ssjpub verify 核对）' : '') + '。'}));
    [['different', '与本站公布的不同'], ['missing', '本站没有公布'], ['same', '与本站公布的相同'],
     ['copies', '抽取记录的 YAML 副本，本站不重复发布']].forEach(function (g) {
      var names = groups[g[0]];
      if (!names.length) return;
      var ul = el('ul', {'class': 'verifier-files verifier-files-' + g[0]}, names.map(function (p) {
        return el('li', {}, [el('code', {text: p})]);
      }));
      var details = el('details', {'data-group': g[0]}, [el('summary', {text: g[1] + '（' + names.length + ' 个）'}), ul]);
      if (g[0] !== 'same' && g[0] !== 'copies') details.open = true;
      box.appendChild(details);
    });
  }

  function start() {
    var task = document.getElementById('verifier');
    if (task) taskPage(task);
    var drop = document.getElementById('verifier-drop');
    if (drop) dropPage(drop);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
