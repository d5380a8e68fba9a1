"use client";

import { NumberInput } from "@/components/ui/number-field";
import { useMutation } from "@tanstack/react-query";
import { CalendarClock, Plus, Wrench, X, type LucideIcon } from "lucide-react";
import { useState, type ReactNode } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Banner } from "@/components/ui/banner";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { CheckboxField, Field, Input, InputField, Options, Select, SelectField } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";
import type { ScheduleEvent } from "@/server/contracts/schedule";
import { WEEKDAYS, type Weekday } from "@/server/contracts/weekdays";
import { type ClusterData, type ClusterTabProps } from "./labels";
import { formatMoney } from "@/components/ui/format";
import { useClusterSaved } from "./use-cluster-saved";

const ZONES = [
  "UTC",
  "Europe/Moscow",
  "Europe/Paris",
  "Europe/Berlin",
  "Europe/London",
  "Asia/Yekaterinburg",
  "Asia/Novosibirsk",
  "Asia/Vladivostok",
  "America/New_York",
  "America/Los_Angeles",
  "Asia/Singapore",
];
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const when = (d: Date, tz: string) =>
  new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    dateStyle: undefined,
    hour: "2-digit",
    minute: "2-digit",
    day: "numeric",
    month: "short",
    timeZone: tz,
  }).format(new Date(d));

export function Schedules({ projectId, cluster: c, canEdit }: ClusterTabProps) {
  return (
    <div className="grid grid-cols-2 gap-6">
      <StopScheduleCard projectId={projectId} cluster={c} canEdit={canEdit} />
      <MaintenanceCard projectId={projectId} cluster={c} canEdit={canEdit} />
    </div>
  );
}

function DayPicker({
  value,
  onChange,
  label,
}: {
  value: Weekday[];
  onChange: (d: Weekday[]) => void;
  label: string;
}) {
  return (
    <div role="group" aria-label={label} className="flex gap-1">
      {WEEKDAYS.map((d) => {
        const on = value.includes(d);
        return (
          <button
            key={d}
            type="button"
            aria-pressed={on}
            onClick={() =>
              onChange(
                on ? value.filter((x) => x !== d) : WEEKDAYS.filter((x) => x === d || value.includes(x)),
              )
            }
            className={`h-8 w-10 rounded-md border text-xs font-medium outline-none focus-visible:ring-2 focus-visible:ring-ring ${
              on
                ? "border-primary bg-primary text-primary-fg"
                : "border-border bg-surface text-muted hover:text-fg"
            }`}
          >
            {d}
          </button>
        );
      })}
    </div>
  );
}

const PRESET: ScheduleEvent[] = [
  { action: "stop", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], at: "20:00" },
  { action: "start", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], at: "08:00" },
];

function StopScheduleCard({ projectId, cluster: c, canEdit }: ClusterTabProps) {
  const trpc = useTRPC();
  const current = c.schedules.stop;
  const [timezone, setTimezone] = useState(current?.timezone ?? browserZone());
  const [events, setEvents] = useState<ScheduleEvent[]>(current?.events ?? PRESET);
  const [enabled, setEnabled] = useState(current?.enabled ?? true);
  const save = useMutation(trpc.cluster.setStopSchedule.mutationOptions({ meta: { inlineErrors: true } }));
  const errors = fieldErrorsOf(save.error);
  const { editing, edit, cancel, submit, remove } = useSettingForm(
    (schedule: Parameters<typeof save.mutate>[0]["schedule"], onSuccess) =>
      save.mutate({ projectId, clusterId: c.id, schedule }, { onSuccess }),
    save.reset,
    useClusterSaved(projectId, c.id),
    "Stop schedule saved",
  );

  return (
    <SettingCard
      title="Stop schedule"
      description="Stop the whole cluster at night or over the weekend; disks, addresses and the API endpoint stay."
      icon={CalendarClock}
      edit={canEdit && !editing ? edit : null}
      current={Boolean(current)}
      empty={
        <>
          No schedule. A weeknight-and-weekend schedule would save about{" "}
          {formatMoney((c.stopSaving.perMonth * 108) / 168, c.stopSaving.currency)} per month.
        </>
      }
      view={
        current && (
          <dl className="grid grid-cols-[9rem_1fr] gap-y-2">
            <dt className="text-muted">Status</dt>
            <dd>
              <Badge tone={current.enabled ? "success" : "neutral"}>
                {current.enabled ? "Active" : "Paused"}
              </Badge>
            </dd>
            {current.events.map((e, i) => (
              <div key={i} className="contents">
                <dt className="text-muted capitalize">{e.action}</dt>
                <dd className="text-fg">
                  {e.days.join(", ")} at {e.at}
                </dd>
              </div>
            ))}
            <dt className="text-muted">Time zone</dt>
            <dd className="text-fg">{current.timezone}</dd>
            <dt className="text-muted">Stopped</dt>
            <dd className="text-fg">{current.offHoursPerWeek} h per week</dd>
            <dt className="text-muted">Saves</dt>
            <dd className="font-medium text-success">
              about {formatMoney(current.projectedSavingPerMonth, c.stopSaving.currency)} per month
            </dd>
            {current.next && (
              <>
                <dt className="text-muted">Next</dt>
                <dd className="text-fg">
                  {current.next.action === "stop" ? "Stop" : "Start"} on{" "}
                  {when(current.next.at, current.timezone)} ({current.timezone})
                </dd>
              </>
            )}
            <dt className="text-muted">Set by</dt>
            <dd className="text-fg">{current.setByEmail}</dd>
          </dl>
        )
      }
    >
      {editing && (
        <form
          className="space-y-4 px-5 py-4"
          onSubmit={(e) => {
            e.preventDefault();
            submit({ enabled, timezone, events });
          }}
          noValidate
        >
          <SelectField
            label="Time zone"
            errors={errors.timezone ?? errors["schedule.timezone"]}
            value={timezone}
            onChange={(e) => setTimezone(e.target.value)}
          >
            <ZoneOptions current={timezone} />
          </SelectField>
          <ul className="space-y-3">
            {events.map((ev, i) => (
              <li key={i} className="space-y-2 rounded-md border border-border p-3">
                <div className="flex items-center gap-2">
                  <Select
                    aria-label={`Event ${i + 1} action`}
                    value={ev.action}
                    onChange={(e) =>
                      setEvents(
                        events.map((x, j) =>
                          j === i ? { ...x, action: e.target.value as "stop" | "start" } : x,
                        ),
                      )
                    }
                    className="w-28"
                  >
                    <option value="stop">Stop</option>
                    <option value="start">Start</option>
                  </Select>
                  <span className="text-sm text-muted">at</span>
                  <Input
                    type="time"
                    aria-label={`Event ${i + 1} time`}
                    value={ev.at}
                    onChange={(e) =>
                      setEvents(events.map((x, j) => (j === i ? { ...x, at: e.target.value } : x)))
                    }
                    className="w-32"
                  />
                  <Button
                    type="button"
                    size="sm"
                    variant="ghost"
                    aria-label={`Remove event ${i + 1}`}
                    onClick={() => setEvents(events.filter((_, j) => j !== i))}
                  >
                    <X className="size-4" aria-hidden />
                  </Button>
                </div>
                <DayPicker
                  label={`Event ${i + 1} days`}
                  value={ev.days}
                  onChange={(days) => setEvents(events.map((x, j) => (j === i ? { ...x, days } : x)))}
                />
                {(errors[`schedule.events.${i}.at`] ?? errors[`schedule.events.${i}.days`]) && (
                  <p role="alert" className="text-xs font-medium text-danger">
                    {(errors[`schedule.events.${i}.at`] ?? errors[`schedule.events.${i}.days`])!.join(" ")}
                  </p>
                )}
              </li>
            ))}
          </ul>
          <Button
            type="button"
            size="sm"
            variant="secondary"
            onClick={() => setEvents([...events, { action: "stop", days: ["Fri"], at: "20:00" }])}
          >
            <Plus className="size-4" aria-hidden /> Add event
          </Button>
          <CheckboxField
            label="Active (untick to pause without losing the schedule)"
            className="size-4"
            checked={enabled}
            onChange={(e) => setEnabled(e.target.checked)}
          />
          {save.error && (
            <p role="alert" className="text-sm font-medium text-danger">
              {errors["schedule.events"]?.join(" ") ?? save.error.message}
            </p>
          )}
          <FormFooter
            what="schedule"
            onRemove={current ? remove : null}
            onCancel={cancel}
            saving={save.isPending}
          />
        </form>
      )}
    </SettingCard>
  );
}

function MaintenanceCard({ projectId, cluster: c, canEdit }: ClusterTabProps) {
  const trpc = useTRPC();
  const current = c.schedules.maintenance;
  const [day, setDay] = useState<Weekday>(current?.day ?? "Tue");
  const [start, setStart] = useState(current?.start ?? "03:00");
  const [hours, setHours] = useState(current?.durationHours ?? 4);
  const [timezone, setTimezone] = useState(current?.timezone ?? browserZone());
  const save = useMutation(
    trpc.cluster.setMaintenanceWindow.mutationOptions({ meta: { inlineErrors: true } }),
  );
  const errors = fieldErrorsOf(save.error);
  const { editing, edit, cancel, submit, remove } = useSettingForm(
    (window: Parameters<typeof save.mutate>[0]["window"], onSuccess) =>
      save.mutate({ projectId, clusterId: c.id, window }, { onSuccess }),
    save.reset,
    useClusterSaved(projectId, c.id),
    "Maintenance window saved",
  );
  return (
    <SettingCard
      title="Maintenance window"
      description="Patch upgrades, and forced upgrades off end-of-life versions, run only in this window."
      icon={Wrench}
      edit={canEdit && !editing ? edit : null}
      current={Boolean(current)}
      empty={<>No window: nothing is upgraded automatically. Upgrades run only when you start them.</>}
      view={
        current && (
          <dl className="grid grid-cols-[9rem_1fr] gap-y-2">
            <dt className="text-muted">Window</dt>
            <dd className="text-fg">
              {current.day} {current.start}, {current.durationHours} h ({current.timezone})
            </dd>
            <dt className="text-muted">Next</dt>
            <dd className="text-fg">{when(current.next.start, current.timezone)}</dd>
            <dt className="text-muted">Planned</dt>
            <dd className="text-fg">
              {current.pending
                ? `${current.pending.reason === "patch" ? "Patch upgrade" : "Forced upgrade (end of life)"} to ${current.pending.target}`
                : "Nothing: the cluster is on the newest patch"}
            </dd>
            <dt className="text-muted">Set by</dt>
            <dd className="text-fg">{current.setByEmail}</dd>
          </dl>
        )
      }
    >
      {editing && (
        <form
          className="grid grid-cols-2 gap-4 px-5 py-4"
          onSubmit={(e) => {
            e.preventDefault();
            submit({ day, start, durationHours: hours, timezone });
          }}
          noValidate
        >
          <SelectField
            label="Day"
            errors={errors["window.day"]}
            value={day}
            onChange={(e) => setDay(e.target.value as Weekday)}
          >
            <Options values={WEEKDAYS} />
          </SelectField>
          <InputField
            label="Starts at"
            errors={errors["window.start"]}
            type="time"
            value={start}
            onChange={(e) => setStart(e.target.value)}
          />
          <Field label="Duration (hours)" errors={errors["window.durationHours"]}>
            {(p) => <NumberInput {...p} min={1} max={8} value={hours} onValueChange={(n) => setHours(n)} />}
          </Field>
          <SelectField
            label="Time zone"
            errors={errors["window.timezone"]}
            value={timezone}
            onChange={(e) => setTimezone(e.target.value)}
          >
            <ZoneOptions current={timezone} />
          </SelectField>
          <FormFooter
            className="col-span-2"
            what="window"
            onRemove={current ? remove : null}
            onCancel={cancel}
            saving={save.isPending}
          />
        </form>
      )}
    </SettingCard>
  );
}

/**
 * A setting shown, or edited in place: `mutate` saves a value (null removes
 * it); a save closes the form, refreshes the cluster and says so, a removal
 * closes it and refreshes.
 */
function useSettingForm<V>(
  mutate: (value: V | null, onSuccess: () => void) => void,
  reset: () => void,
  saved: () => void,
  savedTitle: string,
) {
  const [editing, setEditing] = useState(false);
  const close = () => {
    setEditing(false);
    saved();
  };
  return {
    editing,
    edit: () => setEditing(true),
    cancel: () => (setEditing(false), reset()),
    submit: (value: V) =>
      mutate(value, () => {
        close();
        toast({ variant: "success", title: savedTitle });
      }),
    remove: () => mutate(null, close),
  };
}

/**
 * A card for one setting: its Edit (Set up while nothing is set) button when
 * `edit` is given; the form (`children`) while editing, else the setting
 * (`view`), or `empty` while nothing is set.
 */
function SettingCard({
  title,
  description,
  icon: Icon,
  edit,
  current,
  empty,
  view,
  children,
}: {
  title: string;
  description: string;
  icon: LucideIcon;
  edit: (() => void) | null;
  current: boolean;
  empty: ReactNode;
  /** The setting as it is (falsy while nothing is set). */
  view: ReactNode;
  /** The form, while editing. */
  children: ReactNode;
}) {
  return (
    <Card>
      <CardHeader
        title={title}
        description={description}
        actions={
          edit ? (
            <Button size="sm" variant="secondary" onClick={edit}>
              <Icon className="size-4" aria-hidden /> {current ? "Edit" : "Set up"}
            </Button>
          ) : undefined
        }
      />
      {children || <div className="px-5 py-4 text-sm">{view || <p className="text-muted">{empty}</p>}</div>}
    </Card>
  );
}

/** The common zones, plus the current one when it is another (e.g. the browser's). */
function ZoneOptions({ current }: { current: string }) {
  return <Options values={ZONES.includes(current) ? ZONES : [current, ...ZONES]} />;
}

function FormFooter({
  what,
  onRemove,
  onCancel,
  saving,
  className,
}: {
  what: "schedule" | "window";
  onRemove: (() => void) | null;
  onCancel: () => void;
  saving: boolean;
  className?: string;
}) {
  return (
    <div className={`flex justify-between gap-2 ${className ?? ""}`}>
      {onRemove ? (
        <Button type="button" variant="secondary" className="text-danger" onClick={onRemove}>
          Remove {what}
        </Button>
      ) : (
        <span />
      )}
      <div className="flex gap-2">
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={saving}>
          Save {what}
        </Button>
      </div>
    </div>
  );
}

/** Announced on the cluster page while a maintenance upgrade is planned. */
export function MaintenanceBanner({ cluster: c }: { cluster: ClusterData }) {
  const m = c.schedules.maintenance;
  if (!m?.pending || c.phase === "Upgrading") return null;
  return (
    <Banner tone="primary" icon={Wrench}>
      <span className="font-medium text-fg">
        {m.pending.reason === "patch" ? "Patch upgrade" : "Forced upgrade off an end-of-life version"} to{" "}
        {m.pending.target}
      </span>{" "}
      <span className="text-muted">
        is scheduled for the maintenance window on {when(m.next.start, m.timezone)} ({m.timezone}).
        {m.pending.forced
          ? " It goes ahead even with blocking findings."
          : " If the readiness report has blocking findings, it waits for you."}
      </span>
    </Banner>
  );
}
