import {
  BarChartOutlined,
  CloudUploadOutlined,
  MoneyCollectOutlined,
  HistoryOutlined,
  PlusCircleOutlined,
  SettingOutlined,
  TableOutlined,
  TranslationOutlined,
} from "@ant-design/icons";
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useState } from "react";
import { api } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import { ErrorAlert } from "./errors";
import { useI18n, type Key } from "./i18n";
import { dropLaunchView, launched, takeInfo } from "./launch";
import { NavContext, type Nav, type Route } from "./nav";
import { Spinner } from "./plain";
import { FilingsScreen } from "./screens/FilingsScreen";

// Everything but the Filings screen draws with Ant Design, which loads with the first of them.
const AntdScope = lazy(() => import("./antdScope"));

// The window opens on the Filings screen; every other screen (and ECharts with the dashboard)
// loads when first visited, so launch parses only what the first screen needs.
const BatchesScreen = lazy(() => import("./screens/BatchesScreen").then((m) => ({ default: m.BatchesScreen })));
const DashboardScreen = lazy(() => import("./screens/DashboardScreen").then((m) => ({ default: m.DashboardScreen })));
const FilingDetailScreen = lazy(() => import("./screens/FilingDetailScreen").then((m) => ({ default: m.FilingDetailScreen })));
const FilingForm = lazy(() => import("./screens/FilingForm").then((m) => ({ default: m.FilingForm })));
const ImportScreen = lazy(() => import("./screens/ImportScreen").then((m) => ({ default: m.ImportScreen })));
const SettingsScreen = lazy(() => import("./screens/SettingsScreen").then((m) => ({ default: m.SettingsScreen })));
const SubsidiesScreen = lazy(() => import("./screens/SubsidiesScreen").then((m) => ({ default: m.SubsidiesScreen })));

type MenuKey = "filings" | "dashboard" | "subsidies" | "import" | "batches" | "add" | "settings";

const menu: { key: MenuKey; icon: React.ReactNode; label: Key }[] = [
  { key: "filings", icon: <TableOutlined />, label: "nav.filings" },
  { key: "dashboard", icon: <BarChartOutlined />, label: "nav.dashboard" },
  { key: "subsidies", icon: <MoneyCollectOutlined />, label: "nav.subsidies" },
  { key: "import", icon: <CloudUploadOutlined />, label: "nav.import" },
  { key: "batches", icon: <HistoryOutlined />, label: "nav.batches" },
  { key: "add", icon: <PlusCircleOutlined />, label: "nav.add" },
  { key: "settings", icon: <SettingOutlined />, label: "nav.settings" },
];

function menuKeyOf(r: Route): MenuKey {
  switch (r.name) {
    case "detail":
    case "edit":
      return "filings";
    default:
      return r.name;
  }
}

function titleOf(r: Route): Key {
  switch (r.name) {
    case "filings":
      return "filings.title";
    case "detail":
      return "detail.title";
    case "import":
      return "import.title";
    case "batches":
      return "batches.title";
    case "add":
      return "form.addTitle";
    case "edit":
      return "form.editTitle";
    case "settings":
      return "settings.title";
    case "dashboard":
      return "dash.title";
    case "subsidies":
      return "sub.title";
  }
}

let appRendered = false;

export function App() {
  const { lang, setLang, t } = useI18n();
  const [stack, setStack] = useState<Route[]>([{ name: "filings" }]);
  const [info, setInfo] = useState<AppInfo | null>(launched.info ?? null);
  const [infoError, setInfoError] = useState<ErrorPayload | null>(null);

  if (!appRendered) {
    appRendered = true;
    performance.mark("app-render");
  }

  const loadInfo = useCallback(() => {
    (takeInfo() ?? api.appInfo()).then((i) => {
      if (!performance.getEntriesByName("info-answered").length) performance.mark("info-answered");
      setInfo(i);
    }, setInfoError);
  }, []);
  // The early app_info answer (public/launch.js) is already in state when it came in time; it is
  // used up here, so a later load (after switching or restoring the database) asks the shell.
  useEffect(() => {
    if (launched.info) void takeInfo()?.catch(() => {});
    else loadInfo();
  }, [loadInfo]);

  const route = stack[stack.length - 1]!;
  // The plain copy of the Filings screen (public/launch.js) stays until that screen has its rows;
  // when the window shows anything else, it goes now.
  const showsFilings = route.name === "filings" && !infoError && !info?.db_error;
  useLayoutEffect(() => {
    if (!showsFilings) dropLaunchView();
  }, [showsFilings]);
  const nav = useMemo<Nav>(
    () => ({
      route,
      // Menu clicks start a fresh stack; links inside a screen push so Back returns to them.
      go: (r) => setStack((s) => (["detail", "edit"].includes(r.name) ? [...s, r] : [r])),
      back: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
      canGoBack: stack.length > 1,
    }),
    [route, stack.length],
  );

  const toggleLang = () => setLang(lang === "zh-CN" ? "en" : "zh-CN");

  let body: React.ReactNode;
  // Whether the body draws with plain elements only (else it is given Ant Design's scope).
  let plain = true;
  if (infoError) {
    body = <ErrorAlert error={infoError} onRetry={loadInfo} />;
  } else if (!info) {
    body = <Spinner />;
  } else if (info.db_error) {
    // The window still opens when the database cannot: say why, and let Settings restore a backup.
    plain = route.name !== "settings";
    body = plain ? <ErrorAlert error={info.db_error} onRetry={loadInfo} /> : <SettingsScreen info={info} onChanged={loadInfo} />;
  } else {
    plain = route.name === "filings";
    switch (route.name) {
      case "filings":
        body = <FilingsScreen key={JSON.stringify(route.filter ?? {})} initial={route.filter} />;
        break;
      case "detail":
        body = <FilingDetailScreen key={route.id} id={route.id} />;
        break;
      case "import":
        body = <ImportScreen />;
        break;
      case "batches":
        body = <BatchesScreen initial={route.id} />;
        break;
      case "add":
        body = <FilingForm key="add" />;
        break;
      case "edit":
        body = <FilingForm key={`edit-${route.id}`} id={route.id} />;
        break;
      case "settings":
        body = <SettingsScreen info={info} onChanged={loadInfo} />;
        break;
      case "dashboard":
        body = <DashboardScreen />;
        break;
      case "subsidies":
        body = <SubsidiesScreen />;
        break;
    }
  }

  // The shell and the Filings screen are plain elements; other screens get Ant Design's scope.
  const content = <Suspense fallback={<Spinner />}>{plain ? body : <AntdScope>{body}</AntdScope>}</Suspense>;

  return (
    <NavContext.Provider value={nav}>
      <div className="app-layout">
        <nav className="app-sider">
          <div className="brand">
            <div className="brand-mark">备</div>
            <div>
              <div className="brand-name">{t("app.title")}</div>
              <div className="brand-sub">{t("app.subtitle")}</div>
            </div>
          </div>
          <ul className="app-menu" role="menu">
            {menu.map((m) => (
              <li
                key={m.key}
                role="menuitem"
                tabIndex={0}
                className={`app-menu-item${menuKeyOf(route) === m.key ? " selected" : ""}`}
                // E2E tests find entries by this suffix (it was rc-menu's id scheme).
                data-menu-id={`beian-menu-${m.key}`}
                data-nav={m.key}
                onClick={() => nav.go({ name: m.key } as Route)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    nav.go({ name: m.key } as Route);
                  }
                }}
              >
                {m.icon}
                <span>{t(m.label)}</span>
              </li>
            ))}
          </ul>
        </nav>
        <div className="app-main">
          <header className="app-header">
            <h1>{t(titleOf(route))}</h1>
            <button type="button" className="btn" title={t("lang.switchTitle")} onClick={toggleLang} data-testid="lang-toggle">
              <TranslationOutlined />
              <span>{t("lang.switch")}</span>
            </button>
          </header>
          <main className="app-content">{content}</main>
        </div>
      </div>
    </NavContext.Provider>
  );
}
