/// The dashboard's Mustache templates (swift-mustache), embedded as strings so the binary needs no
/// resource files. `page` is the whole document; `figures` is what the live refresh re-fetches
/// (`GET /dashboard/figures`) and swaps into `<main>`. `{{{…}}}` inserts the server-made SVG unescaped.
enum DashboardTemplates {
    static let page = #"""
        <!doctype html>
        <html lang="{{labels.htmlLanguage}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{{scopeTitle}} · {{labels.title}}</title>
        <style>
        body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222;background:#f6f7f9}
        header{background:#1f4e79;color:#fff;padding:.8em 1.2em}
        header h1{margin:0;font-size:1.3em}
        header a{color:#fff}
        nav{margin-top:.4em;font-size:.9em}
        nav a{margin-right:.8em}
        nav a.current{font-weight:bold;text-decoration:none;border-bottom:2px solid #fff}
        main{padding:1em 1.2em;max-width:1400px}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(12em,1fr));gap:.8em}
        .card{background:#fff;border-radius:6px;padding:.8em;box-shadow:0 1px 2px rgba(0,0,0,.1)}
        .card .label{font-size:.85em;color:#555}
        .card .value{font-size:1.8em;font-weight:600}
        .card .detail{font-size:.8em;color:#777}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(30em,1fr));gap:.8em;margin-top:1em}
        figure{background:#fff;border-radius:6px;margin:0;padding:.6em;box-shadow:0 1px 2px rgba(0,0,0,.1)}
        figcaption{font-weight:600;margin-bottom:.3em}
        svg.chart{width:100%;height:auto}
        table{border-collapse:collapse;background:#fff;margin-top:1em;width:100%}
        th,td{border-bottom:1px solid #e3e3e3;padding:.4em .6em;text-align:right}
        th:first-child,td:first-child{text-align:left}
        .bad{color:#b03a2e}
        .note{color:#777;font-style:italic}
        footer{color:#777;font-size:.8em;padding:0 1.2em 1em}
        </style>
        </head>
        <body>
        <header>
        <h1>{{scopeTitle}} · {{labels.title}}</h1>
        <nav>
        {{#periods}}<a href="{{href}}"{{#current}} class="current"{{/current}}>{{label}}</a>{{/periods}}
        <a href="{{otherLanguageHref}}">{{labels.otherLanguage}}</a>
        {{#up}}<a href="{{href}}">↑ {{labels.up}}</a>{{/up}}
        </nav>
        </header>
        <main id="figures">
        {{> figures}}
        </main>
        <footer>{{labels.live}} · <a href="/healthz">healthz</a></footer>
        <script>
        (function () {
          var main = document.getElementById("figures");
          var url = "/dashboard/figures" + location.search;
          setInterval(function () {
            fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
              return response.ok ? response.text() : null;
            }).then(function (html) {
              if (html !== null && html !== main.innerHTML) { main.innerHTML = html; }
            }).catch(function () {});
          }, 3000);
        })();
        </script>
        </body>
        </html>

        """#

    static let figures = #"""
        <section class="cards">
        {{#cards}}<div class="card"><div class="label">{{label}}</div><div class="value">{{value}}</div><div class="detail">{{detail}}</div></div>
        {{/cards}}
        </section>
        {{^hasData}}<p class="note">{{labels.noData}}</p>{{/hasData}}
        <section class="charts">
        {{#charts}}<figure><figcaption>{{title}}</figcaption>{{{svg}}}</figure>
        {{/charts}}
        </section>
        <h2>{{labels.children}}</h2>
        {{#hasChildren}}
        <table>
        <thead><tr><th>{{labels.area}}</th><th>{{labels.calls}}</th><th>{{labels.effectiveRatio}}</th><th>{{labels.servicesCompleted}}</th><th>{{labels.satisfaction}}</th><th>{{labels.activeElders}}</th><th>{{labels.reported}}</th><th>{{labels.lastSync}}</th><th>{{labels.lag}}</th></tr></thead>
        <tbody>
        {{#children}}<tr><td><a href="{{href}}">{{code}}</a> {{level}}</td><td>{{calls}}</td><td>{{effectiveRatio}}</td><td>{{services}}</td><td>{{satisfaction}}</td><td>{{activeElders}}</td><td{{^reported}} class="bad"{{/reported}}>{{reportedText}}</td><td>{{lastSync}}</td><td>{{lag}}</td></tr>
        {{/children}}
        </tbody>
        </table>
        {{/hasChildren}}
        {{^hasChildren}}<p class="note">{{labels.noChildren}}</p>{{/hasChildren}}
        <p class="note">{{labels.asOf}} {{asOf}} · {{dateRange}}</p>

        """#
}
