// Ant Design, and the theme and locale it draws with, for every screen but the Filings screen.
// The window opens on the Filings screen, which is drawn with plain elements (src/plain.tsx):
// Ant Design's script, styles and the components' state held the web process about 70 MiB above
// what the same screen costs without it (BENCHMARKS.md, tenth round). So Ant Design loads with
// the first screen that needs it, and this scope is where it starts.

import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import type { ReactNode } from "react";
import { useI18n } from "./i18n";

export default function AntdScope({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  return (
    <ConfigProvider
      locale={lang === "zh-CN" ? zhCN : enUS}
      theme={{
        token: {
          colorPrimary: "#1f4e8c",
          borderRadius: 6,
          fontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
        },
      }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}
