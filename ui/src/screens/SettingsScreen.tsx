// Language, where the database lives, backup and restore.

import { App, Button, Card, Descriptions, Radio, Space, Typography } from "antd";
import { useState } from "react";
import { api } from "../api";
import type { DatabaseChoice } from "../bindings/DatabaseChoice";
import type { AppInfo } from "../bindings/AppInfo";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import { ErrorAlert } from "../errors";
import { useI18n, type Key, type Lang } from "../i18n";
import { chooseOpenPath, chooseSavePath } from "../savePath";

export function SettingsScreen({ info, onChanged }: { info: AppInfo; onChanged: () => void }) {
  const { t, lang, setLang } = useI18n();
  const { message, modal } = App.useApp();
  const [error, setError] = useState<ErrorPayload | null>(null);

  const backup = async () => {
    const path = await chooseSavePath(`beian-backup-${new Date().toISOString().slice(0, 10)}.sqlite`, "SQLite", "sqlite");
    if (!path) return;
    try {
      await api.backupTo(path);
      setError(null);
      message.success(t("settings.backupDone", { path }));
    } catch (e) {
      setError(e as ErrorPayload);
    }
  };

  const switchTo = async (choice: DatabaseChoice, done: Key) => {
    try {
      await api.useDatabase(choice);
      setError(null);
      const path = choice.action === "default" ? info.default_db_path : choice.path;
      message.success(t(done, { path }));
      onChanged();
    } catch (e) {
      setError(e as ErrorPayload);
    }
  };
  const openDb = async () => {
    const path = await chooseOpenPath("SQLite", ["sqlite", "db"]);
    if (path) await switchTo({ action: "open", path }, "settings.dbOpened");
  };
  const createDb = async () => {
    const path = await chooseSavePath("beian.sqlite", "SQLite", "sqlite");
    if (path) await switchTo({ action: "create", path }, "settings.dbCreated");
  };
  const fixed = info.db_source === "env";

  const restore = async () => {
    const path = await chooseOpenPath("SQLite", ["sqlite", "db"]);
    if (!path) return;
    modal.confirm({
      title: t("settings.restore"),
      content: t("settings.restoreConfirm"),
      okButtonProps: { danger: true, "data-testid": "restore-confirm" } as React.ComponentProps<typeof Button>,
      onOk: async () => {
        try {
          await api.restoreFrom(path);
          setError(null);
          message.success(t("settings.restoreDone"));
          onChanged();
        } catch (e) {
          setError(e as ErrorPayload);
        }
      },
    });
  };

  return (
    <div className="section-gap" style={{ maxWidth: 880 }}>
      {error && <ErrorAlert error={error} />}
      <Card title={t("settings.language")} size="small">
        <Radio.Group
          value={lang}
          onChange={(e) => setLang(e.target.value as Lang)}
          optionType="button"
          options={[
            { value: "zh-CN", label: "简体中文" },
            { value: "en", label: "English" },
          ]}
        />
      </Card>
      <Card title={t("settings.database")} size="small">
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t("settings.database")}>
            <Typography.Text className="mono" copyable data-testid="db-path">
              {info.db_path}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t("settings.dbSource")}>
            <span data-testid="db-source">{t(`settings.dbSource.${info.db_source}`)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t("settings.version")}>{info.version}</Descriptions.Item>
        </Descriptions>
        <Space orientation="vertical">
          <Space wrap>
            <Button onClick={openDb} disabled={fixed} data-testid="db-open">{t("settings.openDb")}</Button>
            <Button onClick={createDb} disabled={fixed} data-testid="db-create">{t("settings.createDb")}</Button>
            {info.db_source === "chosen" && (
              <Button onClick={() => switchTo({ action: "default" }, "settings.dbDefault")} data-testid="db-default">
                {t("settings.defaultDb")}
              </Button>
            )}
          </Space>
          <Typography.Text type="secondary">{t(fixed ? "settings.databaseEnv" : "settings.databaseHint")}</Typography.Text>
        </Space>
      </Card>
      <Card title={t("settings.backup")} size="small">
        <Space orientation="vertical">
          <Typography.Text>{t("settings.backupBody")}</Typography.Text>
          <Button onClick={backup} disabled={!!info.db_error} data-testid="backup">{t("settings.backupAction")}</Button>
        </Space>
      </Card>
      <Card title={t("settings.restore")} size="small">
        <Space orientation="vertical">
          <Typography.Text>{t("settings.restoreBody")}</Typography.Text>
          <Button danger onClick={restore} data-testid="restore">{t("settings.restoreAction")}</Button>
        </Space>
      </Card>
    </div>
  );
}
