import { PageHeader } from '../../components/PageHeader.tsx';

export default function SettingsPage() {
  return <PageHeader title="SettingsPage" description="Not built yet" />;
}
