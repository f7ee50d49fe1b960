// Language, where the database lives, backup and restore.

import { App, Button, Card, Descriptions, Radio, Space, Typography } from "antd";
import { open, save } from "@tauri-apps/plugin-dialog";
import { useState } from "react";
import { api } from "../api";
import type { AppInfo } from "../bindings/AppInfo";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import { ErrorAlert } from "../errors";
import { useI18n, type Lang } from "../i18n";

export function SettingsScreen({ info, onChanged }: { info: AppInfo; onChanged: () => void }) {
  const { t, lang, setLang } = useI18n();
  const { message, modal } = App.useApp();
  const [error, setError] = useState<ErrorPayload | null>(null);

  const backup = async () => {
    const path = await save({ defaultPath: `beian-backup-${new Date().toISOString().slice(0, 10)}.sqlite`, filters: [{ name: "SQLite", extensions: ["sqlite", "db"] }] });
    if (!path) return;
    try {
      await api.backupTo(path);
      setError(null);
      message.success(t("settings.backupDone", { path }));
    } catch (e) {
      setError(e as ErrorPayload);
    }
  };

  const restore = async () => {
    const path = await open({ multiple: false, directory: false, filters: [{ name: "SQLite", extensions: ["sqlite", "db"] }] });
    if (typeof path !== "string") return;
    modal.confirm({
      title: t("settings.restore"),
      content: t("settings.restoreConfirm"),
      okButtonProps: { danger: true },
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
          <Descriptions.Item label={t("settings.version")}>{info.version}</Descriptions.Item>
        </Descriptions>
        <Typography.Text type="secondary">{t("settings.databaseHint")}</Typography.Text>
      </Card>
      <Card title={t("settings.backup")} size="small">
        <Space orientation="vertical">
          <Typography.Text>{t("settings.backupBody")}</Typography.Text>
          <Button onClick={backup} disabled={!!info.db_error}>{t("settings.backupAction")}</Button>
        </Space>
      </Card>
      <Card title={t("settings.restore")} size="small">
        <Space orientation="vertical">
          <Typography.Text>{t("settings.restoreBody")}</Typography.Text>
          <Button danger onClick={restore}>{t("settings.restoreAction")}</Button>
        </Space>
      </Card>
    </div>
  );
}
