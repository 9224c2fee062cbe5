import { PageHeader } from '../../components/PageHeader.tsx';

export default function UsersPage() {
  return <PageHeader title="UsersPage" description="Not built yet" />;
}
