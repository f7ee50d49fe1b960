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
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Spin, Tooltip } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useState } from "react";
import { api } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import { ErrorAlert } from "./errors";
import { useI18n, type Key } from "./i18n";
import { dropLaunchView, launched, takeInfo } from "./launch";
import { NavContext, type Nav, type Route } from "./nav";
import { FilingsScreen } from "./screens/FilingsScreen";

// The window opens on the Filings screen; every other screen (and ECharts with the dashboard)
// loads when first visited, so launch parses only what the first screen needs.
const BatchesScreen = lazy(() => import("./screens/BatchesScreen").then((m) => ({ default: m.BatchesScreen })));
const DashboardScreen = lazy(() => import("./screens/DashboardScreen").then((m) => ({ default: m.DashboardScreen })));
const FilingDetailScreen = lazy(() => import("./screens/FilingDetailScreen").then((m) => ({ default: m.FilingDetailScreen })));
const FilingForm = lazy(() => import("./screens/FilingForm").then((m) => ({ default: m.FilingForm })));
const ImportScreen = lazy(() => import("./screens/ImportScreen").then((m) => ({ default: m.ImportScreen })));
const SettingsScreen = lazy(() => import("./screens/SettingsScreen").then((m) => ({ default: m.SettingsScreen })));
const SubsidiesScreen = lazy(() => import("./screens/SubsidiesScreen").then((m) => ({ default: m.SubsidiesScreen })));

const { Sider, Header, Content } = Layout;

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
  if (infoError) {
    body = <ErrorAlert error={infoError} onRetry={loadInfo} />;
  } else if (!info) {
    body = <Spin />;
  } else if (info.db_error) {
    // The window still opens when the database cannot: say why, and let Settings restore a backup.
    body = route.name === "settings" ? <SettingsScreen info={info} onChanged={loadInfo} /> : <ErrorAlert error={info.db_error} onRetry={loadInfo} />;
  } else {
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

  return (
    <ConfigProvider
      locale={lang === "zh-CN" ? zhCN : enUS}
      theme={{
        token: {
          colorPrimary: "#1f4e8c",
          borderRadius: 6,
          fontFamily:
            '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
        },
        components: { Layout: { siderBg: "#14243d" }, Menu: { darkItemBg: "#14243d" } },
      }}
    >
      <AntApp>
        <NavContext.Provider value={nav}>
          <Layout hasSider style={{ height: "100vh" }}>
            <Sider width={224} theme="dark" style={{ height: "100vh", overflow: "auto" }}>
              <div className="brand">
                <div className="brand-mark">备</div>
                <div>
                  <div className="brand-name">{t("app.title")}</div>
                  <div className="brand-sub">{t("app.subtitle")}</div>
                </div>
              </div>
              <Menu
                theme="dark"
                mode="inline"
                selectedKeys={[menuKeyOf(route)]}
                onClick={(e) => nav.go({ name: e.key as MenuKey } as Route)}
                items={menu.map((m) => ({ key: m.key, icon: m.icon, label: t(m.label), "data-nav": m.key }))}
              />
            </Sider>
            <Layout>
              <Header className="app-header">
                <h1>{t(titleOf(route))}</h1>
                <Tooltip title={t("lang.switchTitle")}>
                  <Button icon={<TranslationOutlined />} onClick={toggleLang} data-testid="lang-toggle">
                    {t("lang.switch")}
                  </Button>
                </Tooltip>
              </Header>
              <Content className="app-content">
                <Suspense fallback={<Spin />}>{body}</Suspense>
              </Content>
            </Layout>
          </Layout>
        </NavContext.Provider>
      </AntApp>
    </ConfigProvider>
  );
}
